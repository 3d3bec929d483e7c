// Revoke and terminate (issue 27): one running invocation from its page, or many chosen on the runs list, each
// confirmed in words ("Revoke 12 runs of shop.tasks.import?") and answered with every worker's reply.
import { enc } from "../format.js";
import { html, join, render } from "../html.js";
import { canControl, send } from "./access.js";
import { confirmAction, eachOf, outcome } from "./dialog.js";

const FINAL = new Set(["SUCCESS", "FAILURE", "REVOKED", "REJECTED"]);
const SIGNALS = ["SIGTERM", "SIGKILL", "SIGINT", "SIGQUIT", "SIGUSR1"];

/** Whether a run can still be stopped: a final state has nothing left to revoke. */
export const revocable = (run) => !FINAL.has(run.state);

// "12 runs of shop.tasks.import", or of several tasks named.
function runsInWords(runs) {
  const names = [...new Set(runs.map((r) => r.name || "(unnamed)"))];
  const count = runs.length === 1 ? "1 run" : `${runs.length} runs`;
  return names.length === 1 ? html`${count} of <strong class="target">${names[0]}</strong>`
    : html`${count} of ${names.length} tasks (<strong class="target">${join(names, ", ")}</strong>)`;
}

const terminateFields = html`<label><input type="checkbox" name="terminate" value="true"> Terminate running ones with</label>
    <select name="signal" aria-label="signal">${SIGNALS.map((s) => html`<option value="${s}">${s}</option>`)}</select>
    <p class="muted">Without terminate, workers skip the runs when they reach them; a run already executing goes on.</p>`;

/** Asks to revoke runs (each {task_id, name, state, worker}) and shows the replies; closed runs after Close. */
export function revokeRuns(runs, closed) {
  const one = runs.length === 1 ? runs[0] : null;
  confirmAction({
    question: html`Revoke ${runsInWords(runs)}${one ? html` (task id <span class="mono target">${one.task_id}</span>${one.worker ? html` on <span class="mono target">${one.worker}</span>` : ""})` : ""}?`,
    fields: terminateFields,
    yes: one ? "Revoke" : `Revoke ${runs.length} runs`,
    perform: async (form) => {
      const terminate = form.get("terminate") === "true";
      const query = terminate ? `?terminate=true&signal=${enc(form.get("signal"))}` : "";
      const done = await eachOf(runs, (r) => send(`/flower/api/task/revoke/${enc(r.task_id)}${query}`));
      return done.map((d) => outcome(html`<span class="mono">${d.target.task_id}</span>`, d.result, d.error));
    },
    closed,
  });
}

/** The revoke button of an invocation's page: only for the control role, and only while the run is not final. */
export async function revokeButton(run, closed) {
  if (!revocable(run) || !(await canControl())) return null;
  const button = document.createElement("button");
  button.type = "button";
  button.id = "revoke";
  button.className = "danger";
  button.textContent = "Revoke…";
  button.addEventListener("click", () => revokeRuns([run], closed));
  return button;
}

/**
 * On a list of runs (table.runs, one row per item by data-task-id): a box on each run that can be stopped, and a bar
 * above the table to revoke the chosen ones. Nothing for users without the control role.
 */
export async function revokeMany(view, items) {
  const rows = [...view.querySelectorAll("table.runs tbody tr[data-task-id]")];
  const byId = new Map(items.filter(revocable).map((i) => [i.task_id, i]));
  if (!rows.length || !byId.size || !(await canControl())) return;
  const head = view.querySelector("table.runs thead tr");
  const th = document.createElement("th");
  th.textContent = "Revoke";
  th.dataset.col = String(head.cells.length);
  head.append(th);
  for (const row of rows) {
    const cell = row.insertCell();
    const run = byId.get(row.dataset.taskId);
    cell.dataset.v = run ? "1" : "";
    if (run) render(cell, html`<input type="checkbox" class="pick" value="${run.task_id}" aria-label="${`choose ${run.task_id} to revoke`}">`);
  }
  const bar = document.createElement("div");
  bar.className = "controls fleet-bar";
  view.querySelector("table.runs").closest(".table-wrap").before(bar);
  const picked = () => [...view.querySelectorAll("table.runs input.pick:checked")].map((b) => byId.get(b.value));
  const draw = () => {
    const n = picked().length;
    render(bar, html`<button type="button" id="pick-all">Choose all ${byId.size} unfinished</button>
        <button type="button" id="revoke-picked" class="danger"${n ? "" : html` disabled`}>Revoke ${n} chosen…</button>`);
    bar.querySelector("#pick-all").addEventListener("click", () => { view.querySelectorAll("table.runs input.pick").forEach((b) => { b.checked = true; }); draw(); });
    // After Close the list is opened again, to show the states the revokes left.
    bar.querySelector("#revoke-picked").addEventListener("click", () => revokeRuns(picked(), () => window.dispatchEvent(new HashChangeEvent("hashchange"))));
  };
  view.querySelector("table.runs").addEventListener("change", (e) => { if (e.target.matches("input.pick")) draw(); });
  draw();
}
