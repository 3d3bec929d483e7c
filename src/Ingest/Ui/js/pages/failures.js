// #/failures : failures over the range, grouped by task and exception type.
import { api } from "../api.js";
import { bindFacets, select } from "../controls.js";
import { enc, num, time } from "../format.js";
import { html, render } from "../html.js";
import { exceptionMessage } from "../invocations.js";
import { runsHref, taskLink } from "../links.js";
import { bindRange, rangeControl, rangeOf, rangeQuery } from "../range.js";
import { table, td } from "../table.js";

export async function failuresPage(view, params) {
  const r = rangeOf(params);
  const queue = params.get("queue") || "", group = params.get("worker_group") || "";
  const [data, facets] = await Promise.all([
    api(`/api/failures?${rangeQuery(r)}${queue ? `&queue=${enc(queue)}` : ""}${group ? `&worker_group=${enc(group)}` : ""}`),
    api(`/api/facets?${rangeQuery(r)}`),
  ]);
  const rows = data.groups.map((g) => html`<tr data-group="${g.name}|${g.exception_type}">${td(taskLink(g.name), g.name)}
      ${td(html`<span class="mono">${g.exception_type || "(no exception)"}</span>${exceptionMessage(g.exception_message)}`, g.exception_type)}${td(num(g.count), g.count, "num")}
      ${td(time(g.first_seen), g.first_seen)}${td(time(g.last_seen), g.last_seen)}
      ${td(html`<a href="${runsHref({ name: g.name, state: "FAILURE", exception_type: g.exception_type, queue })}" class="all-runs">${group ? "runs (all worker groups)" : g.count === 1 ? "the run" : `all ${num(g.count)} runs`}</a>`, g.count)}</tr>`);
  render(view, html`<h1>Failures</h1>${rangeControl(r, html`counted over ${time(data.since)} to ${time(data.until)} (whole hours)`)}
      <div class="controls">${select("queue", "Queue", facets.queues, queue)} ${select("worker_group", "Worker group", facets.worker_groups, group)}</div>
      ${data.groups.length ? table([["Task"], ["Exception"], ["Count", "num"], ["First seen"], ["Last seen"], ["Runs"]], rows, "failures") : html`<p class="muted">No failures in that range.</p>`}`);
  bindRange(); bindFacets(view);
}
