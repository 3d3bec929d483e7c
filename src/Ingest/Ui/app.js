// Ingest web UI: plain JavaScript, no build step. Hash routes:
//   #/  tasks   #/task/NAME   #/search?q=VALUE   #/invocation/ID   #/failures   #/ingest
(() => {
  "use strict";
  const view = document.getElementById("view");
  let stream = null; // the live EventSource of the page that uses one

  // ---- helpers -------------------------------------------------------------------------------------------
  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  const enc = encodeURIComponent;
  async function api(path) {
    const r = await fetch(path, { headers: { Accept: "application/json" } });
    if (r.status === 401) {
      // The session ended: sign in again and come back to this page.
      location.assign(`/signin?return=${enc(location.pathname + location.hash)}`);
      throw new Error("signing in again");
    }
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(body.error || `${r.status} ${r.statusText}`);
    return body;
  }
  // A time in the viewer's zone, with the UTC value on hover.
  function time(iso) {
    if (!iso) return '<span class="muted">-</span>';
    const d = new Date(iso);
    return `<time datetime="${esc(iso)}" title="${esc(d.toISOString())} (UTC)">${esc(d.toLocaleString())}</time>`;
  }
  const secs = (s) => s == null ? "-" : s < 1 ? `${(s * 1000).toFixed(s < 0.01 ? 2 : 0)} ms` : `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const pct = (r) => r == null ? "-" : `${(r * 100).toFixed(r < 0.1 ? 2 : 1)}%`;
  const num = (n) => n == null ? "-" : Number(n).toLocaleString();
  const bytes = (b) => b == null ? "-" : b > 1 << 30 ? `${(b / (1 << 30)).toFixed(2)} GiB` : b > 1 << 20 ? `${(b / (1 << 20)).toFixed(1)} MiB` : `${(b / 1024).toFixed(0)} KiB`;
  const state = (s) => `<span class="badge state-${esc(s)}">${esc(s)}</span>`;
  const taskLink = (n) => n ? `<a href="#/task/${enc(n)}">${esc(n)}</a>` : '<span class="muted">(unnamed)</span>';
  const invLink = (id) => `<a class="mono" href="#/invocation/${enc(id)}">${esc(id)}</a>`;
  const clip = (s, n = 120) => !s ? "" : s.length > n ? esc(s.slice(0, n)) + "…" : esc(s);

  // A small SVG line of values (nulls leave gaps), optionally with count bars behind it.
  function sparkline(values, counts, w = 160, h = 28) {
    const max = Math.max(...values.filter((v) => v != null), 0);
    const cmax = Math.max(...(counts || [0]), 0);
    const step = w / Math.max(values.length - 1, 1);
    let bars = "";
    (counts || []).forEach((c, i) => {
      if (!cmax || !c) return;
      const bh = (c / cmax) * (h - 2);
      bars += `<rect x="${(i * step - step / 2 + 1).toFixed(1)}" y="${(h - bh).toFixed(1)}" width="${Math.max(step - 2, 1).toFixed(1)}" height="${bh.toFixed(1)}" fill="#e3eefa"/>`;
    });
    let path = "", pen = false;
    values.forEach((v, i) => {
      if (v == null || !max) { pen = false; return; }
      const x = (i * step).toFixed(1), y = (h - 2 - (v / max) * (h - 4)).toFixed(1);
      path += `${pen ? "L" : "M"}${x},${y}`;
      pen = true;
    });
    return `<svg class="spark" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="hourly p95">${bars}<path d="${path}" fill="none" stroke="#0b5cad" stroke-width="1.5"/></svg>`;
  }

  function regressionBadge(r) {
    return r.flagged ? `<span class="badge regressed" title="${esc(r.reasons.join("; "))}">regressed</span>` : "";
  }

  // ---- pages ---------------------------------------------------------------------------------------------
  async function tasksPage() {
    const data = await api("/api/tasks");
    if (!data.tasks.length) {
      view.innerHTML = `<h1>Tasks</h1><p class="muted">No task finished in the last 24 hours yet. Post events to <code>/api/events</code> or point Ingest at RabbitMQ.</p>`;
      return;
    }
    const rows = data.tasks.map((t) => `<tr>
      <td>${taskLink(t.name)} ${regressionBadge(t.regression)}</td>
      <td class="num" title="${esc(t.last_hour.from)} to ${esc(t.last_hour.to)}">${num(t.last_hour.total)}</td>
      <td class="num">${t.last_hour.rate_per_min.toFixed(1)}</td>
      <td class="num">${num(t.last_24h.total)}</td>
      <td class="num">${pct(t.last_24h.failure_rate)}</td>
      <td class="num">${secs(t.last_24h.runtime.p50_s)}</td>
      <td class="num">${secs(t.last_24h.runtime.p95_s)}</td>
      <td>${sparkline(t.hourly.map((h) => h.p95_s), t.hourly.map((h) => h.total))}</td>
    </tr>`).join("");
    view.innerHTML = `<h1>Tasks <span class="muted">(last 24 hours, by hour)</span></h1>
      <table><thead><tr><th>Task</th><th class="num">This hour</th><th class="num">/min</th><th class="num">24 h</th>
      <th class="num">Failure rate</th><th class="num">p50</th><th class="num">p95</th><th>p95 and runs per hour</th></tr></thead>
      <tbody>${rows}</tbody></table>`;
  }

  async function taskPage(name) {
    const [stats, recent] = await Promise.all([
      api(`/api/tasks/${enc(name)}/stats?bucket=1h`).catch((e) => ({ error: e.message })),
      api(`/api/invocations?name=${enc(name)}&limit=25`),
    ]);
    let top = `<h1>${esc(name)}</h1>`;
    if (stats.error) {
      top += `<p class="muted">${esc(stats.error)}</p>`;
    } else {
      const r = stats.regression;
      top += r.flagged
        ? `<div class="notice bad"><strong>Regressed.</strong> ${r.reasons.map(esc).join("; ")}.<br><span class="muted">Recent ${time(r.recent.from)} to ${time(r.recent.to)} against ${time(r.baseline.from)} to ${time(r.baseline.to)}.</span></div>`
        : `<p class="muted">No regression: recent p95 ${secs(r.recent.runtime.p95_s)}, failure rate ${pct(r.recent.failure_rate)} (${num(r.recent.total)} runs) against p95 ${secs(r.baseline.runtime.p95_s)}, ${pct(r.baseline.failure_rate)} (${num(r.baseline.total)} runs) before it.</p>`;
      const s = stats.series;
      top += `<div class="card"><div>p95 per hour ${sparkline(s.map((b) => b.runtime.p95_s), s.map((b) => b.total), 720, 80)}</div></div>
        <h2>Hourly</h2><table><thead><tr><th>Hour</th><th class="num">Runs</th><th class="num">Succeeded</th><th class="num">Failed</th>
        <th class="num">Failure rate</th><th class="num">p50</th><th class="num">p95</th><th class="num">p99</th></tr></thead><tbody>
        ${s.slice().reverse().filter((b) => b.total).map((b) => `<tr><td>${time(b.from)}</td><td class="num">${num(b.total)}</td><td class="num">${num(b.succeeded)}</td>
        <td class="num">${num(b.failed)}</td><td class="num">${pct(b.failure_rate)}</td><td class="num">${secs(b.runtime.p50_s)}</td>
        <td class="num">${secs(b.runtime.p95_s)}</td><td class="num">${secs(b.runtime.p99_s)}</td></tr>`).join("")}</tbody></table>`;
    }
    view.innerHTML = top + `<h2>Recent invocations</h2>${invocationTable(recent.items)}`;
  }

  function invocationTable(items) {
    if (!items.length) return '<p class="muted">None.</p>';
    return `<table><thead><tr><th>Task id</th><th>Task</th><th>State</th><th>At</th><th class="num">Runtime</th><th>Args / kwargs</th></tr></thead><tbody>
      ${items.map((i) => `<tr data-task-id="${esc(i.task_id)}"><td>${invLink(i.task_id)}</td><td>${taskLink(i.name)}</td><td>${state(i.state)}</td>
      <td>${time(i.finished_at || i.state_at)}</td><td class="num">${secs(i.runtime_s)}</td>
      <td class="mono">${clip(i.args, 60)} ${clip(i.kwargs, 100)}</td></tr>`).join("")}</tbody></table>`;
  }

  async function searchPage(q, cursor) {
    document.getElementById("q").value = q;
    // A task id typed into the box goes straight to its invocation.
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(q.trim())) {
      const one = await api(`/api/invocations/${enc(q.trim())}`).catch(() => null);
      if (one) { location.hash = `#/invocation/${enc(q.trim())}`; return; }
    }
    const page = await api(`/api/invocations?q=${enc(q)}&limit=100${cursor ? `&cursor=${enc(cursor)}` : ""}`);
    const warn = page.unsearched && page.unsearched.length
      ? `<div class="notice">Not searched: ${page.unsearched.map(esc).join(", ")}.</div>` : "";
    const more = page.next_cursor ? `<p><a href="#/search?q=${enc(q)}&cursor=${enc(page.next_cursor)}">Older matches</a></p>` : "";
    view.innerHTML = `<h1>Invocations carrying “${esc(q)}”</h1>${warn}
      <p class="muted" id="result-count">${page.items.length}${page.next_cursor ? "+" : ""} found, newest first.</p>
      ${invocationTable(page.items)}${more}`;
  }

  async function invocationPage(id) {
    const i = await api(`/api/invocations/${enc(id)}`);
    const block = (title, text) => text ? `<h2>${title}</h2><pre>${esc(text)}</pre>` : "";
    view.innerHTML = `<h1>${state(i.state)} ${taskLink(i.name)} <span class="mono muted">${esc(i.task_id)}</span></h1>
      ${i.source === "in_flight" ? '<p class="notice">Still running: this is the live state, not yet stored.</p>' : ""}
      <div class="grid"><div class="card"><dl class="kv">
        <dt>Worker</dt><dd>${esc(i.worker || "-")}</dd><dt>Queue</dt><dd>${esc(i.queue || "-")}</dd>
        <dt>Sent</dt><dd>${time(i.sent_at)}</dd><dt>Received</dt><dd>${time(i.received_at)}</dd>
        <dt>Started</dt><dd>${time(i.started_at)}</dd><dt>Finished</dt><dd>${time(i.finished_at)}</dd>
        <dt>Runtime</dt><dd>${secs(i.runtime_s)}</dd><dt>Retries</dt><dd>${num(i.retries)}</dd>
        <dt>Parent</dt><dd>${i.parent_id ? invLink(i.parent_id) : "-"}</dd><dt>Root</dt><dd>${i.root_id ? invLink(i.root_id) : "-"}</dd>
        ${i.eta ? `<dt>ETA</dt><dd>${esc(i.eta)}</dd>` : ""}${i.expires ? `<dt>Expires</dt><dd>${esc(i.expires)}</dd>` : ""}
      </dl></div></div>
      ${block("Exception", i.exception)}${block("Traceback", i.traceback)}
      ${block("Args", i.args)}${block("Kwargs", i.kwargs)}${block("Result", i.result)}`;
  }

  async function failuresPage(since) {
    const hours = { "1h": 1, "24h": 24, "7d": 168 }[since] || 24;
    const from = new Date(Date.now() - hours * 3600e3).toISOString();
    const data = await api(`/api/failures?since=${enc(from)}`);
    const picks = ["1h", "24h", "7d"].map((p) => p === (since || "24h") ? `<strong>${p}</strong>` : `<a href="#/failures?since=${p}">${p}</a>`).join(" ");
    view.innerHTML = `<h1>Failures</h1><div class="controls">Since: ${picks} <span class="muted">(counted from ${time(data.since)})</span></div>
      ${data.groups.length ? `<table><thead><tr><th>Task</th><th>Exception</th><th class="num">Count</th><th>First seen</th><th>Last seen</th><th>Example</th></tr></thead><tbody>
      ${data.groups.map((g) => `<tr><td>${taskLink(g.name)}</td><td class="mono">${esc(g.exception_type || "(no exception)")}</td><td class="num">${num(g.count)}</td>
      <td>${time(g.first_seen)}</td><td>${time(g.last_seen)}</td><td>${g.example_task_id ? invLink(g.example_task_id) : "-"}</td></tr>`).join("")}
      </tbody></table>` : '<p class="muted">No failures in that window.</p>'}`;
  }

  function ingestPage() {
    view.innerHTML = `<h1>Ingest</h1><div id="ingest-report" class="grid"><p class="muted">Connecting…</p></div>
      <h2>Live: stored invocations</h2><p class="muted" id="live-note">As the flush loop commits them.</p><div id="live"></div>`;
    const live = [];
    let previous = null;
    stream = new EventSource("/api/stream");
    stream.addEventListener("stats", (e) => {
      const r = JSON.parse(e.data);
      const now = Date.now();
      const rate = previous ? ((r.invocations.flushed - previous.flushed) / ((now - previous.at) / 1000)) : null;
      previous = { flushed: r.invocations.flushed, at: now };
      renderReport(r, rate);
      setHealth(r.status);
    });
    stream.addEventListener("invocation", (e) => {
      live.unshift(JSON.parse(e.data));
      live.length = Math.min(live.length, 50);
      document.getElementById("live").innerHTML = invocationTable(live);
    });
    stream.addEventListener("dropped", (e) => {
      document.getElementById("live-note").textContent = `This page fell behind; ${JSON.parse(e.data).dropped} invocations were skipped.`;
    });
  }

  function renderReport(r, rate) {
    const kv = (pairs) => `<dl class="kv">${pairs.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join("")}</dl>`;
    const dict = (o) => Object.keys(o || {}).length ? Object.entries(o).map(([k, v]) => `${esc(k)}: ${num(v)}`).join(", ") : "none";
    const oldest = r.tracker.oldest_in_flight_seen_at ? `${((Date.now() - new Date(r.tracker.oldest_in_flight_seen_at)) / 1000).toFixed(0)} s` : "-";
    const sources = Object.entries(r.sources || {}).map(([name, s]) => `<div class="card"><h2>${esc(name)}</h2>${kv(Object.entries(s).filter(([, v]) => typeof v !== "object").map(([k, v]) => [k, esc(v)]))}</div>`).join("");
    document.getElementById("ingest-report").innerHTML = `
      <div class="card"><h2>Status <span class="badge ${esc(r.status)}">${esc(r.status)}</span></h2>${kv([
        ["Reasons", r.reasons.length ? r.reasons.map(esc).join("<br>") : "none"],
        ["Stored per second", rate == null ? "…" : rate.toFixed(1)],
        ["Backlog", `${num(r.backlog.queued + r.backlog.in_progress)} of ${num(r.backlog.capacity)}`],
        ["Flush loop", `${esc(r.flush_loop.state)}, last batch ${num(r.flush_loop.last_batch_size)} in ${r.flush_loop.last_batch_ms} ms`],
        ["Longest stall", `${r.flush_loop.max_stall_ms} ms`],
        ["Oldest in flight", oldest],
        ["Memory (RSS)", bytes(r.process.rss_bytes)]])}</div>
      <div class="card"><h2>Counts</h2>${kv([
        ["Received", num(r.invocations.received)], ["Stored", num(r.invocations.flushed)],
        ["Dropped", dict(r.invocations.dropped)], ["Rejected events", dict(r.events.rejected)], ["Repaired events", dict(r.events.repaired)]])}</div>
      <div class="card"><h2>Storage</h2>${kv([
        ["Partitions", `${num(r.storage.partitions)} (${esc(r.storage.oldest_partition || "-")} to ${esc(r.storage.newest_partition || "-")})`],
        ["File", bytes(r.storage.file_bytes)], ["Free pages", bytes(r.storage.freelist_bytes)], ["Free disk", bytes(r.storage.free_disk_bytes)],
        ["Last drop", r.storage.last_drop ? `${esc(r.storage.last_drop)} in ${r.storage.last_drop_ms} ms` : "none"]])}</div>${sources}`;
  }

  function setHealth(status) {
    const el = document.getElementById("health");
    el.textContent = status;
    el.className = `badge ${status}`;
  }

  // ---- routing -------------------------------------------------------------------------------------------
  async function route() {
    if (stream) { stream.close(); stream = null; }
    const hash = location.hash.slice(1) || "/";
    const [path, query] = hash.split("?");
    const params = new URLSearchParams(query || "");
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    document.querySelectorAll("nav a").forEach((a) => a.classList.toggle("active", a.dataset.nav === (parts[0] || "tasks")));
    view.innerHTML = '<p class="muted">Loading…</p>';
    try {
      if (!parts.length) await tasksPage();
      else if (parts[0] === "task") await taskPage(parts.slice(1).join("/"));
      else if (parts[0] === "search") await searchPage(params.get("q") || "", params.get("cursor"));
      else if (parts[0] === "invocation") await invocationPage(parts[1]);
      else if (parts[0] === "failures") await failuresPage(params.get("since"));
      else if (parts[0] === "ingest") ingestPage();
      else view.innerHTML = '<p>Not found. <a href="#/">Tasks</a></p>';
    } catch (e) {
      view.innerHTML = `<div class="notice bad">${esc(e.message)}</div>`;
    }
  }

  document.getElementById("search").addEventListener("submit", (e) => {
    e.preventDefault();
    const q = document.getElementById("q").value.trim();
    if (q) location.hash = `#/search?q=${enc(q)}`;
  });
  window.addEventListener("hashchange", route);
  // /healthz answers 503 with its report when failing: read the body either way.
  fetch("/healthz").then((r) => r.json()).then((h) => setHealth(h.status)).catch(() => setHealth("unreachable"));
  route();
})();
