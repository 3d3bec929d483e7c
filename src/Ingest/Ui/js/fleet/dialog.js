// The one dialog every fleet action goes through: it names the target in words, waits for a yes, sends, and then
// shows what each worker answered and which did not answer. Everything in it is built with html`...`.
import { html, join, render } from "../html.js";

let dialog = null;

function element() {
  if (!dialog) {
    dialog = document.createElement("dialog");
    dialog.id = "fleet-dialog";
    document.body.append(dialog);
  }
  return dialog;
}

// One worker's reply as Celery sent it: {"ok": ...}, {"error": ...}, or an inspection's value.
const replyText = (r) => r == null ? "" : typeof r !== "object" ? String(r) : "ok" in r ? String(r.ok) : "error" in r ? `error: ${r.error}` : JSON.stringify(r);

// Flower's replies are {worker: reply}; Celery's own broadcast answer is [{worker: reply}, ...]: both are read.
function repliesOf(result) {
  const r = result?.replies;
  if (!r) return [];
  return Array.isArray(r) ? r.flatMap((one) => Object.entries(one)) : Object.entries(r);
}

/** What came back for one target: the message, each worker's reply, and who did not answer (or the refusal). */
export function outcome(target, result, error) {
  if (error) return html`<div class="outcome"><h3>${target}</h3><p class="notice bad">Not done: ${error.message}</p></div>`;
  const replies = repliesOf(result), missing = result?.missing || [];
  const rows = replies.map(([worker, reply]) => html`<tr data-worker="${worker}"><td class="mono">${worker}</td><td class="mono">${replyText(reply)}</td></tr>`);
  return html`<div class="outcome"><h3>${target}</h3>${result?.message ? html`<p>${result.message}</p>` : ""}
      ${rows.length ? html`<table class="replies"><thead><tr><th>Worker</th><th>Reply</th></tr></thead><tbody>${rows}</tbody></table>` : html`<p class="muted">No worker replied.</p>`}
      ${missing.length ? html`<p class="notice missing">Did not answer: <span class="mono">${join(missing, ", ")}</span></p>` : rows.length ? html`<p class="muted">Every worker asked answered.</p>` : ""}</div>`;
}

/**
 * Asks `question` (markup naming the target in words), with optional form `fields`. On yes, `perform(form)` sends
 * and resolves with markup of the outcomes, shown until Close; `closed` runs then (to show the new state).
 */
export function confirmAction({ question, fields = "", yes, perform, closed }) {
  const d = element();
  render(d, html`<form method="dialog" class="fleet-confirm"><p class="question">${question}</p>${fields}
      <p class="buttons"><button type="button" value="cancel" class="cancel">Cancel</button> <button type="submit" value="yes" class="danger">${yes}</button></p></form>`);
  const form = d.querySelector("form");
  form.querySelector(".cancel").addEventListener("click", () => d.close());
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const values = new FormData(form);
    render(d, html`<p class="muted" id="fleet-sending">Sending…</p>`);
    let shown;
    try { shown = await perform(values); } catch (err) { shown = outcome("", null, err); }
    render(d, html`<div id="fleet-outcome">${shown}</div><p class="buttons"><button type="button" class="close">Close</button></p>`);
    d.querySelector(".close").addEventListener("click", () => { d.close(); closed?.(); });
  });
  d.showModal();
}

/** Runs `send` over the targets a few at a time (a hundred revokes must not open a hundred requests at once). */
export async function eachOf(targets, send, width = 4) {
  const out = new Array(targets.length);
  let next = 0;
  const lane = async () => {
    while (next < targets.length) {
      const k = next++;
      try { out[k] = { target: targets[k], result: await send(targets[k]) }; } catch (error) { out[k] = { target: targets[k], error }; }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, targets.length) }, lane));
  return out;
}
