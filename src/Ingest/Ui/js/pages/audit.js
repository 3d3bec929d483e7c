// #/audit : every control action and refusal (issue 27), newest first, filtered by user, action and outcome.
import { api } from "../api.js";
import { bindFacets, pager, select } from "../controls.js";
import { clip, enc, time } from "../format.js";
import { html, join, render } from "../html.js";
import { table, td } from "../table.js";

// Flower's action names, as the audit records them.
const ACTIONS = ["task.revoke", "task.rate_limit", "task.time_limit", "task.send_task", "task.async_apply", "worker.pool_grow",
  "worker.pool_shrink", "worker.pool_autoscale", "worker.pool_restart", "worker.queue_add_consumer", "worker.queue_cancel_consumer",
  "worker.shutdown"];

// Each worker's answer in words: its ok or error text, or the JSON it sent.
const replyText = (r) => r && typeof r === "object" && ("ok" in r || "error" in r) ? String(r.ok ?? `error: ${r.error}`) : JSON.stringify(r);

function replies(e) {
  const answered = Object.entries(e.replies || {}).map(([w, r]) => html`<div><span class="mono">${w}</span>: ${clip(replyText(r), 200)}</div>`);
  const silent = (e.missing || []).map((w) => html`<div class="muted"><span class="mono">${w}</span>: no answer</div>`);
  return answered.length || silent.length ? join([...answered, ...silent], "") : "-";
}

const row = (e) => html`<tr data-outcome="${e.outcome}">${td(time(e.at), e.at)}${td(e.user ?? html`<span class="muted">(none)</span>`, e.user)}
    ${td(html`<span class="mono">${e.action}</span>`, e.action)}${td(html`<span class="mono">${e.target ?? "-"}</span>`, e.target)}
    ${td(html`<span class="mono">${clip(JSON.stringify(e.arguments), 160)}</span>`, "")}
    ${td(html`<span class="badge outcome-${e.outcome}">${e.outcome}</span> ${e.status}`, e.outcome)}${td(e.reason ?? "", e.reason)}${td(replies(e), "")}</tr>`;

export async function auditPage(view, params) {
  const query = ["since", "until", "user", "action", "cursor"].filter((k) => params.get(k)).map((k) => `${k}=${enc(params.get(k))}`);
  const page = await api(`/api/audit?${query.join("&")}`);
  const users = [...new Set(page.items.map((e) => e.user).filter(Boolean))].sort();
  render(view, html`<h1>Audit <span class="muted">(control actions and refusals)</span></h1>
      <div class="controls">${select("user", "User", users, params.get("user") || "")}${select("action", "Action", ACTIONS, params.get("action") || "")}</div>
      ${page.items.length ? table([["Time"], ["User"], ["Action"], ["Target"], ["Arguments"], ["Outcome"], ["Reason"], ["Replies"]], page.items.map(row), "audit")
        : html`<p class="muted">No control action in the range: actions come through /flower/api/... from users with the control role.</p>`}
      ${pager(page)}
      <p class="muted">Every call to a control route is here, refusals included: who, the command and its arguments, and what each worker answered.</p>`);
  bindFacets(view);
}
