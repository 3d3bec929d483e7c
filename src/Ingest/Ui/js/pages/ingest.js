// #/ingest : the ingest's own health, counts and storage, and invocations as they are stored (server-sent events).
import { healthLabel, setHealth } from "../api.js";
import { bytes, num } from "../format.js";
import { html, join, render } from "../html.js";
import { invocationTable } from "../invocations.js";

const kv = (pairs) => html`<dl class="kv">${pairs.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
const dict = (o) => Object.keys(o || {}).length ? Object.entries(o).map(([k, v]) => `${k}: ${num(v)}`).join(", ") : "none";

function renderReport(element, r, perSecond) {
  const oldest = r.tracker.oldest_in_flight_seen_at ? `${((Date.now() - new Date(r.tracker.oldest_in_flight_seen_at)) / 1000).toFixed(0)} s` : "-";
  const sources = Object.entries(r.sources || {}).map(([name, s]) => html`<div class="card"><h2>${name}</h2>${kv(Object.entries(s).filter(([, v]) => typeof v !== "object"))}</div>`);
  render(element, html`
      <div class="card"><h2>Status <span class="badge ${r.status}">${healthLabel(r.status)}</span></h2>${kv([
        ["Reasons", r.reasons.length ? join(r.reasons, html`<br>`) : "none"],
        ["Stored per second", perSecond == null ? "…" : perSecond.toFixed(1)],
        ["Backlog", `${num(r.backlog.queued + r.backlog.in_progress)} of ${num(r.backlog.capacity)}`],
        ["Flush loop", `${r.flush_loop.state}, last batch ${num(r.flush_loop.last_batch_size)} in ${r.flush_loop.last_batch_ms} ms`],
        ["Longest stall", `${r.flush_loop.max_stall_ms} ms`],
        ["Oldest in flight", html`<a href="#/running" id="oldest-in-flight" title="the Running page">${oldest}</a>`],
        ["Memory (RSS)", bytes(r.process.rss_bytes)]])}</div>
      <div class="card"><h2>Counts</h2>${kv([
        ["Received", num(r.invocations.received)], ["Stored", num(r.invocations.flushed)],
        ["Dropped", dict(r.invocations.dropped)], ["Rejected events", dict(r.events.rejected)], ["Repaired events", dict(r.events.repaired)]])}</div>
      <div class="card"><h2>Storage</h2>${kv([
        ["Partitions", `${num(r.storage.partitions)} (${r.storage.oldest_partition || "-"} to ${r.storage.newest_partition || "-"})`],
        ["File", bytes(r.storage.file_bytes)], ["Free pages", bytes(r.storage.freelist_bytes)], ["Free disk", bytes(r.storage.free_disk_bytes)],
        ["Last drop", r.storage.last_drop ? `${r.storage.last_drop} in ${r.storage.last_drop_ms} ms` : "none"]])}</div>${sources}`);
}

/** Opens the page's stream; returns what closes it when the page is left. */
export function ingestPage(view) {
  render(view, html`<h1>Ingest</h1><div id="ingest-report" class="grid"><p class="muted">Connecting…</p></div>
      <h2>Live: stored invocations</h2><p class="muted" id="live-note">As the flush loop commits them.</p><div id="live"></div>`);
  const live = [];
  let previous = null;
  const stream = new EventSource("/api/stream");
  stream.addEventListener("stats", (e) => {
    const r = JSON.parse(e.data);
    const now = Date.now();
    const perSecond = previous ? ((r.invocations.flushed - previous.flushed) / ((now - previous.at) / 1000)) : null;
    previous = { flushed: r.invocations.flushed, at: now };
    renderReport(document.getElementById("ingest-report"), r, perSecond);
    setHealth(r.status);
  });
  stream.addEventListener("invocation", (e) => {
    live.unshift(JSON.parse(e.data));
    live.length = Math.min(live.length, 50);
    render(document.getElementById("live"), invocationTable(live));
  });
  stream.addEventListener("dropped", (e) => {
    document.getElementById("live-note").textContent = `This page fell behind; ${JSON.parse(e.data).dropped} invocations were skipped.`;
  });
  return () => stream.close();
}
