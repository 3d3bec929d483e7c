// #/workers : every worker that sent a heartbeat, by worker group.
import { api } from "../api.js";
import { bindFacets, select } from "../controls.js";
import { poolControls } from "../fleet/pool.js";
import { num, time } from "../format.js";
import { html, join, render } from "../html.js";
import { runsHref } from "../links.js";
import { table, td } from "../table.js";

const row = (w) => html`<tr data-worker="${w.hostname}">${td(html`<span class="mono">${w.hostname}</span>`, w.hostname)}${td(w.worker_group, w.worker_group)}
      ${td(html`<span class="badge worker-${w.status}">${w.status}</span>`, w.status)}${td(num(w.active), w.active, "num")}${td(num(w.processed), w.processed, "num")}
      ${td((w.load_average || []).map((l) => l.toFixed(2)).join(" ") || "-", (w.load_average || [])[0])}${td(w.software_version || "-", w.software_version)}
      ${td(time(w.last_heartbeat_at), w.last_heartbeat_at)}${td(`${Math.round(w.seconds_since_seen)} s`, w.seconds_since_seen, "num")}
      ${td(w.queues.length ? join(w.queues.map((q) => html`<a href="${runsHref({ queue: q })}">${q}</a>`), " ") : "-", w.queues.join(" "))}</tr>`;

export async function workersPage(view, params) {
  const data = await api("/api/workers");
  const group = params.get("worker_group") || "";
  const groups = [...new Set(data.items.map((w) => w.worker_group))].sort();
  const items = data.items.filter((w) => !group || w.worker_group === group);
  const counts = ["online", "lost", "offline"].map((s) => `${num(data.items.filter((w) => w.status === s).length)} ${s}`).join(", ");
  render(view, html`<h1>Workers <span class="muted">(${counts})</span></h1>
      <div class="controls">${select("worker_group", "Worker group", groups, group)}</div>
      ${items.length ? table([["Worker"], ["Group"], ["Status"], ["Active", "num"], ["Processed", "num"], ["Load"], ["Celery"], ["Last heartbeat"], ["Seen", "num"], ["Queues"]], items.map(row), "workers")
        : html`<p class="muted">No worker has sent a heartbeat yet: start workers with <code>-E</code>. On RabbitMQ the default binding (<code>#</code>) takes worker events; on Redis they are subscribed unless <code>--redis-worker-events false</code>.</p>`}
      <p class="muted">From worker-online, heartbeat and offline events: lost means heartbeats stopped without a goodbye.</p>`);
  bindFacets(view);
  await poolControls(view);
}
