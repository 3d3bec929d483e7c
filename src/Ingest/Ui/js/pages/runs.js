// #/runs : runs over the range with filters (task, state, queue, worker, exception), newest first, paged.
import { api } from "../api.js";
import { bindFacets, pageSize, pager, select } from "../controls.js";
import { revokeMany } from "../fleet/revoke.js";
import { enc } from "../format.js";
import { html, render } from "../html.js";
import { STATES, invocationTable } from "../invocations.js";
import { link } from "../links.js";
import { bindRange, rangeControl, rangeOf, rangeQuery } from "../range.js";

export async function runsPage(view, params) {
  const r = rangeOf(params);
  const f = Object.fromEntries(["name", "state", "queue", "worker", "exception_type"].map((k) => [k, params.get(k) || ""]));
  const q = Object.entries(f).filter(([, v]) => v).map(([k, v]) => `&${k}=${enc(v)}`).join("");
  const [page, facets] = await Promise.all([
    api(`/api/invocations?${rangeQuery(r)}${q}&limit=${pageSize(params)}${params.get("cursor") ? `&cursor=${enc(params.get("cursor"))}` : ""}`),
    api(`/api/facets?${rangeQuery(r)}`),
  ]);
  const what = [f.name && `task ${f.name}`, f.state && `state ${f.state}`, f.exception_type && `exception ${f.exception_type}`,
    f.queue && `queue ${f.queue}`, f.worker && `worker ${f.worker}`].filter(Boolean).join(", ");
  render(view, html`<h1>Runs${what ? `: ${what}` : ""}</h1>${rangeControl(r)}
      <div class="controls">${select("name", "Task", facets.names, f.name, "any task")} ${select("state", "State", STATES, f.state, "any state")}
      ${select("queue", "Queue", facets.queues, f.queue)} ${select("worker", "Worker", facets.workers, f.worker)}
      ${f.exception_type ? html`<a href="${link({ exception_type: null })}" class="chip">exception ${f.exception_type} ×</a>` : ""}</div>
      <p class="muted" id="result-count">${page.items.length}${page.next_cursor ? "+" : ""} shown, newest first.</p>
      ${invocationTable(page.items)}${pager(page)}`);
  bindRange(); bindFacets(view);
  await revokeMany(view, page.items);
}
