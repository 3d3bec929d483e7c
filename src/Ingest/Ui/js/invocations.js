// Invocations as every list of runs shows them.
import { html } from "./html.js";
import { clip, secs, time } from "./format.js";
import { invLink, taskLink } from "./links.js";
import { table, td } from "./table.js";

export const STATES = ["SUCCESS", "FAILURE", "RETRY", "REVOKED", "REJECTED", "STARTED", "RECEIVED", "PENDING"];

export const stateBadge = (s) => html`<span class="badge state-${s}">${s}</span>`;

/** An exception's words under its type, clipped (the invocation page has them whole): the type alone says little. */
export const exceptionMessage = (m) => m ? html`<div class="muted mono exception-message" title="${m}">${clip(m, 160)}</div>` : "";

// A run the tracker holds unfinished, not stored yet (issue 25): said beside its state.
const inFlightMark = (i) => i.in_flight ? html` <span class="badge in-flight" title="still running: shown from memory">in flight</span>` : "";

// A run's exception: its type, and its message beneath.
const exceptionCell = (i) => i.exception_type || i.exception
  ? td(html`<span class="mono">${i.exception_type || ""}</span>${exceptionMessage(i.exception_message)}`, i.exception_type)
  : td("-", "");

/** The runs, newest first as given, or a "None." paragraph. */
export function invocationTable(items) {
  if (!items.length) return html`<p class="muted" id="no-runs">None.</p>`;
  return table([["Task id"], ["Task"], ["State"], ["At"], ["Worker"], ["Queue"], ["In queue", "num"], ["Pickup", "num"], ["Runtime", "num"], ["Exception"], ["Args / kwargs"]],
    items.map((i) => html`<tr data-task-id="${i.task_id}">${td(invLink(i.task_id), i.task_id)}${td(taskLink(i.name), i.name)}${td(html`${stateBadge(i.state)}${inFlightMark(i)}`, i.state)}
      ${td(time(i.finished_at || i.state_at), i.finished_at || i.state_at)}${td(html`<span class="mono">${i.worker || "-"}</span>`, i.worker)}${td(i.queue || "-", i.queue)}
      ${td(secs(i.wait_queue_s), i.wait_queue_s, "num")}${td(secs(i.wait_worker_s), i.wait_worker_s, "num")}${td(secs(i.runtime_s), i.runtime_s, "num")}${exceptionCell(i)}
      ${td(html`<span class="mono">${clip(i.args, 60)} ${clip(i.kwargs, 100)}</span>`, `${i.args || ""} ${i.kwargs || ""}`)}</tr>`), "runs");
}
