// #/task/NAME : one task's verdict, charts, exceptions, where it ran, and its runs.
import { api } from "../api.js";
import { budgetNotice, budgets } from "../budget.js";
import { chart, shareBar } from "../charts.js";
import { bindFacets, pageSize, pager, select } from "../controls.js";
import { taskLimits } from "../fleet/limits.js";
import { enc, num, pct, secs, time } from "../format.js";
import { html, join, render } from "../html.js";
import { STATES, exceptionMessage, invocationTable } from "../invocations.js";
import { link, runsHref } from "../links.js";
import { bindRange, rangeControl, rangeOf, rangeQuery, windowNote } from "../range.js";
import { table, td } from "../table.js";

function verdict(v) {
  // No comparison had enough runs on both sides: "no regression" would claim a check that never ran.
  if (!v.flagged && !v.judged) {
    return html`<p class="muted" id="verdict-unjudged">Not enough data to judge a regression: ${num(v.recent.total)} recent runs against ${num(v.baseline.total)} before them (each needs ${num(v.thresholds.min_samples)}).</p>`;
  }
  return v.flagged
    ? html`<div class="notice bad"><strong>Regressed.</strong> ${join(v.reasons, "; ")}.<br><span class="muted">Recent ${time(v.recent.from)} to ${time(v.recent.to)} against ${time(v.baseline.from)} to ${time(v.baseline.to)}.</span></div>`
    : html`<p class="muted">No regression: recent p95 ${secs(v.recent.runtime.p95_s)}, failure rate ${pct(v.recent.failure_rate)} (${num(v.recent.total)} runs) against p95 ${secs(v.baseline.runtime.p95_s)}, ${pct(v.baseline.failure_rate)} (${num(v.baseline.total)} runs) before it.</p>`;
}

function charts(stats) {
  const s = stats.series, times = s.map((b) => b.from);
  const axis = { ends: s.map((b) => b.to), partial: s.map((b) => b.partial) };
  return html`<p class="muted">${windowNote(stats)}</p><div class="charts">
        ${chart("Runs", times, [{ name: "succeeded", values: s.map((b) => b.succeeded), color: "#8fd19e", kind: "bar" }, { name: "failed", values: s.map((b) => b.failed), color: "#e57373", kind: "bar" }], { ...axis, unit: "runs" })}
        ${chart("Failure rate", times, [{ name: "failure rate", values: s.map((b) => b.failure_rate), color: "#c62828", kind: "line", fmt: pct }], { ...axis, fmt: pct })}
        ${chart("Runtime", times, [{ name: "p50", values: s.map((b) => b.runtime.p50_s), color: "#8fb8e0", kind: "line", fmt: secs }, { name: "p95", values: s.map((b) => b.runtime.p95_s), color: "#0b5cad", kind: "line", fmt: secs }, { name: "p99", values: s.map((b) => b.runtime.p99_s), color: "#143d66", kind: "line", fmt: secs }], { ...axis, fmt: secs })}
        ${chart("Waits (p95): the queue or the worker?", times, [{ name: "in queue", values: s.map((b) => b.queue_wait?.p95_s ?? null), color: "#b26a00", kind: "line", fmt: secs }, { name: "for a worker slot", values: s.map((b) => b.pickup?.p95_s ?? null), color: "#6a1b9a", kind: "line", fmt: secs }], { ...axis, fmt: secs })}
      </div>`;
}

function exceptions(name, groups) {
  if (!groups.length) return "";
  const fmax = Math.max(...groups.map((g) => g.count), 1);
  return html`<h2>Exceptions</h2>${table([["Exception"], ["Count", "num"], ["Share"], ["Last seen"]], groups.map((g) => html`<tr>
          ${td(html`<a class="mono" href="${runsHref({ name, state: "FAILURE", exception_type: g.exception_type })}">${g.exception_type || "(no exception)"}</a>${exceptionMessage(g.exception_message)}`, g.exception_type)}
          ${td(num(g.count), g.count, "num")}${td(shareBar(g.count, fmax, "#e57373"), g.count)}${td(time(g.last_seen), g.last_seen)}</tr>`))}`;
}

// Where it ran: by queue and by worker group, each opening the task page with that facet.
function breakdown(title, label, cls, facet, items) {
  if (!items?.length) return "";
  const most = Math.max(...items.map((b) => b.figures.total), 1);
  return html`<div><h2>${title}</h2>${table([[label], ["Runs", "num"], ["Share"], ["Failure rate", "num"], ["p95 runtime", "num"], ["p95 in queue", "num"]], items.map((b) => html`<tr data-key="${b.key}">
        ${td(html`<a href="${link({ [facet]: b.key })}">${b.key || "(none)"}</a>`, b.key)}${td(num(b.figures.total), b.figures.total, "num")}
        ${td(shareBar(b.figures.total, most, "#8fb8e0"), b.figures.total)}
        ${td(pct(b.figures.failure_rate), b.figures.failure_rate, "num")}${td(secs(b.figures.runtime.p95_s), b.figures.runtime.p95_s, "num")}
        ${td(secs(b.figures.queue_wait?.p95_s), b.figures.queue_wait?.p95_s, "num")}</tr>`), cls)}</div>`;
}

export async function taskPage(view, params, name) {
  const r = rangeOf(params);
  const queue = params.get("queue") || "", group = params.get("worker_group") || "", st = params.get("state") || "";
  const facetQuery = `${queue ? `&queue=${enc(queue)}` : ""}${group ? `&worker_group=${enc(group)}` : ""}`;
  const runsQuery = `name=${enc(name)}&${rangeQuery(r)}${st ? `&state=${enc(st)}` : ""}${queue ? `&queue=${enc(queue)}` : ""}&limit=${pageSize(params)}${params.get("cursor") ? `&cursor=${enc(params.get("cursor"))}` : ""}`;
  const [stats, runs, failures, facets, budget] = await Promise.all([
    api(`/api/tasks/${enc(name)}/stats?${rangeQuery(r)}${facetQuery}`).catch((e) => ({ error: e.message })),
    api(`/api/invocations?${runsQuery}`),
    api(`/api/failures?${rangeQuery(r)}&name=${enc(name)}`),
    api(`/api/facets?${rangeQuery(r)}`),
    budgets(rangeQuery(r)),
  ]);
  const top = html`<h1>${name}</h1>${rangeControl(r)}<div class="controls">${select("queue", "Queue", facets.queues, queue)} ${select("worker_group", "Worker group", facets.worker_groups, group)}</div>${
    stats.error ? html`<p class="muted">${stats.error}</p>` : html`${budgetNotice(budget.get(name))}${verdict(stats.regression)}${charts(stats)}`}`;
  const where = stats.error ? "" : html`<div class="breakdowns">${breakdown("By queue", "Queue", "by-queue", "queue", stats.queues)}${breakdown("By worker group", "Worker group", "by-group", "worker_group", stats.worker_groups)}</div>`;
  const stateFilter = select("state", "State", STATES, st, "any state");
  render(view, html`${top}${exceptions(name, failures.groups)}${where}<h2>Runs in range</h2><div class="controls">${stateFilter}</div>${invocationTable(runs.items)}${pager(runs)}`);
  bindRange(); bindFacets(view);
  await taskLimits(view, name);
}
