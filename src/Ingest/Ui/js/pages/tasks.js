// #/ : every task over the range, with overview charts and a sparkline per task.
import { api } from "../api.js";
import { budgetCell, budgets, fastest } from "../budget.js";
import { chart, sparkline } from "../charts.js";
import { bindFacets, select } from "../controls.js";
import { enc, num, pct, rate, secs } from "../format.js";
import { html, render } from "../html.js";
import { taskLink } from "../links.js";
import { bindRange, rangeControl, rangeOf, rangeQuery, windowNote } from "../range.js";
import { table, td } from "../table.js";

const regressionBadge = (r) => r.flagged ? html`<span class="badge regressed" title="${r.reasons.join("; ")}">regressed</span>` : "";

// Runs that ended neither succeeded nor failed: without them, 2 revoked of 20 vanished from the page (issue 25).
const counted = (w, state) => td(num(w.states[state] || 0), w.states[state] || 0, "num");

function row(t, budget) {
  const w = t.window;
  return html`<tr data-task="${t.name}">
      ${td(html`${taskLink(t.name)} ${regressionBadge(t.regression)}`, t.name)}
      ${td(num(w.total), w.total, "num")}${td(rate(w.rate_per_min), w.rate_per_min, "num")}${td(num(w.failed), w.failed, "num")}
      ${td(pct(w.failure_rate), w.failure_rate, "num")}${counted(w, "REVOKED")}${counted(w, "REJECTED")}${counted(w, "RETRY")}${td(secs(w.runtime.p50_s), w.runtime.p50_s, "num")}${td(secs(w.runtime.p95_s), w.runtime.p95_s, "num")}
      ${td(secs(w.runtime.p99_s), w.runtime.p99_s, "num")}${td(secs(w.queue_wait?.p95_s), w.queue_wait?.p95_s, "num")}${td(secs(w.pickup?.p95_s), w.pickup?.p95_s, "num")}
      ${td(sparkline(t.series.map((p) => p.p95_s), t.series.map((p) => p.total)), w.runtime.p95_s)}${td(budgetCell(budget), budget?.burn_rate, "num")}</tr>`;
}

export async function tasksPage(view, params) {
  const r = rangeOf(params);
  const queue = params.get("queue") || "", group = params.get("worker_group") || "";
  const facetQuery = `${queue ? `&queue=${enc(queue)}` : ""}${group ? `&worker_group=${enc(group)}` : ""}`;
  const cursor = params.get("cursor") || "";
  const [data, facets, budget] = await Promise.all([api(`/api/tasks?${rangeQuery(r)}${facetQuery}${cursor ? `&cursor=${enc(cursor)}` : ""}`), api(`/api/facets?${rangeQuery(r)}`), budgets(rangeQuery(r))]);
  const filters = html`<div class="controls">${select("queue", "Queue", facets.queues, queue)} ${select("worker_group", "Worker group", facets.worker_groups, group)}</div>`;
  const head = html`<h1>Tasks</h1>${rangeControl(r, windowNote(data))}${filters}`;
  if (!data.tasks.length) {
    render(view, html`${head}<p class="muted" id="empty">No task ran in this range${queue || group ? " with these filters" : ""}. Pick a longer range, or post events to <code>/api/events</code> or point Ingest at your broker.</p>`);
    bindRange(); bindFacets(view);
    return;
  }
  // The overview: every task's series added up (all share the buckets).
  const first = data.tasks[0].series, times = first.map((p) => p.from);
  const axis = { ends: first.map((p) => p.to), partial: first.map((p) => p.partial) };
  const runs = times.map((_, i) => data.tasks.reduce((a, t) => a + t.series[i].total, 0));
  const failed = times.map((_, i) => data.tasks.reduce((a, t) => a + t.series[i].failed, 0));
  const failRate = times.map((_, i) => runs[i] ? failed[i] / runs[i] : null);
  // The API pages tasks by runs (issue 24: 100,000 names in one answer took the process past 1 GiB).
  const next = new URLSearchParams(params);
  if (data.next_cursor) next.set("cursor", data.next_cursor);
  const paging = data.next_cursor || cursor
    ? html`<p class="muted" id="paging">${num(data.tasks.length)} of ${num(data.total_tasks)} tasks, the busiest first${cursor ? " (a later page)" : ""}; the charts add up the tasks listed.
        ${data.next_cursor ? html`<a href="${"#/?" + next.toString()}">Next tasks</a>` : ""}</p>`
    : "";
  // The tasks burning their objectives' budgets fastest, named above the charts (the table's Budget column sorts by burn rate).
  const burning = fastest(budget);
  const burningNote = burning.length
    ? html`<div class="notice bad" id="burning"><strong>Burning their error budget fastest:</strong> ${burning.map((b, i) => html`${i ? ", " : ""}${taskLink(b.name)} ${budgetCell(b)}`)}</div>`
    : "";
  render(view, html`${head}${burningNote}
      <div class="charts">${chart("Runs per bucket", times, [{ name: "runs", values: runs, color: "#9cc3ea", kind: "bar" }, { name: "failed", values: failed, color: "#e57373", kind: "bar" }], { ...axis, unit: "runs" })}
      ${chart("Failure rate", times, [{ name: "failure rate", values: failRate, color: "#c62828", kind: "line", fmt: pct }], { ...axis, fmt: pct })}</div>
      ${table([["Task"], ["Runs", "num"], ["/min", "num"], ["Failed", "num"], ["Failure rate", "num"],
        ["Revoked", "num"], ["Rejected", "num"], ["Retried", "num"], ["p50", "num"], ["p95", "num"], ["p99", "num"],
        ["Queue wait p95", "num"], ["Pickup p95", "num"], ["p95 trend"], ["Budget", "num"]], data.tasks.map((t) => row(t, budget.get(t.name))), "tasks")}
      ${paging}
      <p class="muted">/min: runs over the minutes of the range that have passed. Queue wait: sent to received (needs <code>task_send_sent_event</code>); pickup: received to started. Regression verdict: the last hours before the range's end against the day before them, or against the task's objective where it has one. Budget: the error budget left over the objective's window; burning: the range spends it faster than the window allows.</p>`);
  bindRange(); bindFacets(view);
}
