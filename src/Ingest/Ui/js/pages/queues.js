// #/queues : broker queues as sampled (AMQP passive declare, Redis LLEN): is the fleet keeping up, as the queue sees it.
import { api } from "../api.js";
import { chart } from "../charts.js";
import { num, time } from "../format.js";
import { html, render } from "../html.js";
import { runsHref } from "../links.js";
import { bindRange, rangeControl, rangeOf, rangeQuery } from "../range.js";
import { table, td } from "../table.js";

const row = (q) => html`<tr data-queue="${q.name}">${td(html`<a href="${runsHref({ queue: q.name })}">${q.name}</a>`, q.name)}
      ${td(q.length == null ? html`<span class="muted">no recent reading</span>` : num(q.length), q.length, "num")}${td(num(q.consumers), q.consumers, "num")}
      ${td(num(q.max_in_range), q.max_in_range, "num")}${td(q.exists === false ? html`<span class="badge state-FAILURE">not on the broker</span>` : time(q.sampled_at), q.sampled_at)}</tr>`;

// One point per bucket of the range, gaps where no sample was taken.
function queueChart(q, data) {
  const byT = new Map(q.series.map((p) => [new Date(p.t).getTime(), p]));
  const from = Math.floor(new Date(data.from).getTime() / (data.bucket_s * 1000)) * data.bucket_s * 1000, to = new Date(data.to).getTime();
  const times = [];
  for (let t = from; t < to; t += data.bucket_s * 1000) times.push(new Date(t).toISOString());
  const at = (t, k) => byT.get(new Date(t).getTime())?.[k] ?? null;
  return chart(`${q.name}: messages waiting`, times, [
    { name: "largest", values: times.map((t) => at(t, "max")), color: "#0b5cad", kind: "line" },
    { name: "mean", values: times.map((t) => at(t, "mean")), color: "#8fb8e0", kind: "line" }]);
}

const status = (s) => !s.enabled ? "Sampling is off (--queue-sample-s 0)."
  : !s.broker ? "No broker to sample: give --broker (RabbitMQ or Redis)."
  : `Sampled from ${s.broker} every ${num(s.interval_s)} s; ${num(s.queues_sampled)} queues (at most ${num(s.max_queues)}), ${num(s.failures)} failed samples${s.last_error ? ` (last: ${s.last_error})` : ""}; ${num(s.lost)} samples lost.`;

export async function queuesPage(view, params) {
  const r = rangeOf(params);
  const data = await api(`/api/queues?${rangeQuery(r)}`);
  render(view, html`<h1>Queues</h1>${rangeControl(r, `buckets of ${num(data.bucket_s)} s`)}<p class="muted">${status(data.sampling)}</p>
      ${data.queues.length ? table([["Queue"], ["Waiting now", "num"], ["Consumers", "num"], ["Most in range", "num"], ["Sampled"]], data.queues.map(row), "queues")
        : html`<p class="muted">No queue sampled yet: queues are those task events name, plus --sample-queues (default celery).</p>`}
      <div class="charts">${data.queues.filter((q) => q.series.length).map((q) => queueChart(q, data))}</div>`);
  bindRange();
}
