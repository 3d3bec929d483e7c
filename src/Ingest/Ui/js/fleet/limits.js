// A task's rate and time limits on each worker that runs it (issue 27), from live inspections (registered, conf),
// and the forms that change them, each confirmed with the task and the workers named.
import { enc } from "../format.js";
import { html, join, render } from "../html.js";
import { canControl, controlAvailable, liveWorkers, NO_BROKER, send } from "./access.js";
import { confirmAction, eachOf, outcome } from "./dialog.js";

// A registered entry is "name" or "name [rate_limit=10/m time_limit=60]" (celery.worker.control's task info).
function entryOf(entry) {
  const m = /^(\S+)(?: \[(.*)\])?$/.exec(String(entry));
  if (!m) return { name: String(entry), info: {} };
  const info = Object.fromEntries((m[2] || "").split(" ").filter((kv) => kv.includes("=")).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
  return { name: m[1], info };
}

// What the worker reports for the task, else its configured default (marked as such), else none.
const limit = (own, fallback) => own != null && own !== "None" ? own : fallback != null ? html`${fallback} <span class="muted">(default)</span>` : html`<span class="muted">none</span>`;

/** The workers that have the task registered, each with the limits it reports. */
export function workersRunning(workers, name) {
  return Object.entries(workers || {}).flatMap(([worker, w]) => {
    const found = (w?.registered || []).map(entryOf).find((e) => e.name === name);
    return found ? [{ worker, info: found.info, conf: w.conf || {} }] : [];
  });
}

function table(running) {
  const rows = running.map((r) => html`<tr data-worker="${r.worker}"><td class="mono">${r.worker}</td><td>${limit(r.info.rate_limit, r.conf.task_default_rate_limit)}</td>
      <td>${limit(r.info.soft_time_limit, r.conf.task_soft_time_limit)}</td><td>${limit(r.info.time_limit, r.conf.task_time_limit)}</td></tr>`);
  return html`<table class="limits"><thead><tr><th>Worker</th><th>Rate limit</th><th>Soft time limit (s)</th><th>Hard time limit (s)</th></tr></thead><tbody>${rows}</tbody></table>`;
}

const form = (running) => html`<form class="controls limit-form">
    <label>On <select name="worker"><option value="">all ${running.length} workers</option>${running.map((r) => html`<option value="${r.worker}">${r.worker}</option>`)}</select></label>
    <label>Rate limit <input name="ratelimit" placeholder="10/m" size="8"></label> <button type="button" class="set-rate">Set rate limit…</button>
    <label>Soft <input name="soft" type="number" min="0" step="any" size="6"></label> <label>Hard <input name="hard" type="number" min="0" step="any" size="6"></label>
    <button type="button" class="set-time">Set time limits…</button></form>`;

function change(section, name, running, what) {
  const f = new FormData(section.querySelector("form.limit-form"));
  const targets = f.get("worker") ? [f.get("worker")] : running.map((r) => r.worker);
  const fields = what === "rate" ? { ratelimit: f.get("ratelimit") } : Object.fromEntries(["soft", "hard"].filter((k) => f.get(k)).map((k) => [k, f.get(k)]));
  const words = what === "rate" ? html`the rate limit of <strong class="target">${name}</strong> to <strong>${fields.ratelimit || "(none given)"}</strong>`
    : html`the time limits of <strong class="target">${name}</strong> to ${join(Object.entries(fields).map(([k, v]) => html`${k} <strong>${v}</strong> s`), " and ") || "(none given)"}`;
  confirmAction({
    question: html`Set ${words} on ${targets.length === 1 ? "worker" : `${targets.length} workers`} <span class="mono target">${join(targets, ", ")}</span>?`,
    yes: "Set",
    perform: async () => (await eachOf(targets, (w) => send(`/flower/api/task/${what === "rate" ? "rate-limit" : "timeout"}/${enc(name)}`, { form: { workername: w, ...fields } })))
      .map((d) => outcome(html`<span class="mono">${d.target}</span>`, d.result, d.error)),
    closed: () => draw(section, name),
  });
}

async function draw(section, name) {
  if (!(await controlAvailable())) {
    render(section, html`<h2>Limits on the workers</h2><p class="muted">${NO_BROKER}</p>`);
    return;
  }
  render(section, html`<h2>Limits on the workers</h2><p class="muted">Asking the workers…</p>`);
  let running;
  try { running = workersRunning(await liveWorkers(), name); } catch (e) {
    render(section, html`<h2>Limits on the workers</h2><p class="notice bad">The workers could not be asked: ${e.message}</p>`);
    return;
  }
  if (!running.length) {
    render(section, html`<h2>Limits on the workers</h2><p class="muted">No worker that answered has this task registered.</p>`);
    return;
  }
  render(section, html`<h2>Limits on the workers</h2>${table(running)}${form(running)}`);
  section.querySelector(".set-rate").addEventListener("click", () => change(section, name, running, "rate"));
  section.querySelector(".set-time").addEventListener("click", () => change(section, name, running, "time"));
}

/** The task page's limits, asked of the live workers; nothing for users without the control role. */
export async function taskLimits(view, name) {
  if (!(await canControl())) return;
  const section = document.createElement("section");
  section.id = "task-limits";
  const at = view.querySelector("h2");
  if (at) at.before(section); else view.append(section);
  draw(section, name);
}
