// #/invocation/ID : one run's lifecycle, where it ran, and its details.
import { api } from "../api.js";
import { invocationActions } from "../fleet/invocation.js";
import { enc, num, secs, time } from "../format.js";
import { html, render } from "../html.js";
import { stateBadge } from "../invocations.js";
import { invLink, taskLink } from "../links.js";

const block = (title, text) => text ? html`<h2>${title}</h2><pre>${text}</pre>` : "";

function notices(i) {
  let notice = "";
  if (i.source === "in_flight") notice = html`<p class="notice" id="live-state">Still running: this is the live state in memory, not yet stored.</p>`;
  else if (i.source === "recent") notice = html`<p class="notice" id="live-state">Finished moments ago: shown from memory while it is written.</p>`;
  else if (!i.finished) notice = html`<p class="notice" id="live-state">Not finished when Ingest last saw it (${i.state} at ${time(i.state_at)}). Ingest no longer tracks it: it was written when Ingest stopped, set aside under memory pressure, or went silent past the idle timeout. Its outcome is unknown.</p>`;
  const dropped = i.details_dropped ? html`<p class="notice" id="details-dropped">Args, kwargs, result and traceback of this day were dropped by detail retention (<span class="mono">--detail-days</span>); the run, its state and its error are kept.</p>` : "";
  const sampled = i.details_not_kept ? html`<p class="notice" id="details-not-kept">details not kept: ${i.details_not_kept}${i.detail_sample ? html` (<span class="mono">--detail-sample ${i.detail_sample}</span>)` : ""}. A success of a task running above the sample rate keeps its row, state and times; its args, kwargs and result were left out.</p>` : "";
  return html`${notice}${dropped}${sampled}`;
}

// The lifecycle, each step with the wait before it.
function timeline(i) {
  const steps = [["Sent", i.sent_at, null], ["Received", i.received_at, i.wait_queue_s], ["Started", i.started_at, i.wait_worker_s], [i.state === "FAILURE" ? "Failed" : "Finished", i.finished_at, i.runtime_s]];
  const labels = [null, "in queue", "waiting for a slot", "running"];
  return html`<ol class="timeline">${steps.map(([label, at, wait], k) => html`<li class="${at ? "" : "missing"}">
      ${k && wait != null ? html`<span class="wait">${labels[k]} ${secs(wait)}</span>` : ""}<strong>${label}</strong> ${at ? time(at) : html`<span class="muted">not seen</span>`}</li>`)}</ol>`;
}

export async function invocationPage(view, params, id) {
  const i = await api(`/api/invocations/${enc(id)}`);
  render(view, html`<h1>${stateBadge(i.state)} ${taskLink(i.name)} <span class="mono muted">${i.task_id}</span></h1>${notices(i)}
      ${timeline(i)}
      <div class="grid"><div class="card"><dl class="kv">
        <dt>Worker</dt><dd class="mono">${i.worker || "-"}</dd><dt>Queue</dt><dd>${i.queue || "-"}</dd>
        <dt>Runtime</dt><dd>${secs(i.runtime_s)}</dd><dt>Retries</dt><dd>${num(i.retries)}${i.retries ? ` (the same task id ran ${i.retries + 1} times; this is its last attempt)` : ""}</dd>
        <dt>Parent</dt><dd>${i.parent_id ? invLink(i.parent_id) : "-"}</dd><dt>Root</dt><dd>${i.root_id ? invLink(i.root_id) : "-"}</dd>
        ${i.eta ? html`<dt>ETA</dt><dd>${i.eta}</dd>` : ""}${i.expires ? html`<dt>Expires</dt><dd>${i.expires}</dd>` : ""}
      </dl></div></div>
      ${block("Exception", i.exception)}${block("Traceback", i.traceback)}
      ${block("Args", i.args)}${block("Kwargs", i.kwargs)}${block("Result", i.result)}`);
  // After an action, the page is opened again to show the state it left.
  await invocationActions(view, i, () => window.dispatchEvent(new HashChangeEvent("hashchange")));
}
