// Ingest web UI: plain JavaScript, no build step. Hash routes (every page keeps its range and filters in the URL):
//   #/  tasks   #/task/NAME   #/runs   #/search?q=VALUE   #/invocation/ID   #/failures   #/workers   #/queues   #/ingest
// A range is a preset (range=15m|1h|6h|24h|7d, relative to the server's clock) or since=ISO&until=ISO.
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
  const secs = (s) => s == null ? "-" : s < 1 ? `${(s * 1000).toFixed(s < 0.01 ? 2 : 0)} ms` : s < 120 ? `${s.toFixed(s < 10 ? 2 : 1)} s` : `${(s / 60).toFixed(1)} min`;
  const pct = (r) => r == null ? "-" : `${(r * 100).toFixed(r < 0.1 ? 2 : 1)}%`;
  const num = (n) => n == null ? "-" : Number(n).toLocaleString();
  const rate = (n) => n == null ? "-" : n >= 100 ? Math.round(n).toLocaleString() : n.toFixed(n < 10 ? 2 : 1);
  const bytes = (b) => b == null ? "-" : b > 1 << 30 ? `${(b / (1 << 30)).toFixed(2)} GiB` : b > 1 << 20 ? `${(b / (1 << 20)).toFixed(1)} MiB` : `${(b / 1024).toFixed(0)} KiB`;
  const state = (s) => `<span class="badge state-${esc(s)}">${esc(s)}</span>`;
  const clip = (s, n = 120) => !s ? "" : s.length > n ? esc(s.slice(0, n)) + "…" : esc(s);
  const FINAL = ["SUCCESS", "FAILURE", "REVOKED", "REJECTED"];
  const STATES = ["SUCCESS", "FAILURE", "RETRY", "REVOKED", "REJECTED", "STARTED", "RECEIVED", "PENDING"];

  // ---- range and filters, kept in the URL ---------------------------------------------------------------
  const PRESETS = [["15m", "15 min"], ["1h", "1 h"], ["6h", "6 h"], ["24h", "24 h"], ["7d", "7 d"]];
  const PRESET_HOURS = { "15m": 0.25, "1h": 1, "6h": 6, "24h": 24, "7d": 168 };
  let current = { path: "/", params: new URLSearchParams() };

  function rangeOf(params) {
    if (params.get("since")) return { since: params.get("since"), until: params.get("until") || "", preset: null };
    const preset = PRESET_HOURS[params.get("range")] ? params.get("range") : "24h";
    return { since: `-${preset}`, until: "", preset };
  }
  const rangeQuery = (r) => `since=${enc(r.since)}${r.until ? `&until=${enc(r.until)}` : ""}`;
  function rangeHours(r) {
    if (r.preset) return PRESET_HOURS[r.preset];
    const to = r.until ? new Date(r.until) : new Date();
    return Math.max(1, (to - new Date(r.since)) / 3600e3);
  }
  // The hash for this page with some parameters changed (null removes one); a new range or filter starts at page one.
  function link(changes, path = current.path) {
    const p = new URLSearchParams(current.params);
    if (!("cursor" in changes)) p.delete("cursor");
    for (const [k, v] of Object.entries(changes)) {
      if (v == null || v === "") p.delete(k); else p.set(k, v);
    }
    const q = p.toString();
    return `#${path}${q ? `?${q}` : ""}`;
  }
  const go = (changes) => { location.hash = link(changes); };

  function rangeControl(r, note) {
    const presets = PRESETS.map(([k, label]) => k === r.preset
      ? `<strong aria-current="true">${label}</strong>`
      : `<a href="${link({ range: k, since: null, until: null })}" data-range="${k}">${label}</a>`).join(" ");
    const local = (iso) => { if (!iso || iso.startsWith("-")) return ""; const d = new Date(iso); return new Date(d - d.getTimezoneOffset() * 60e3).toISOString().slice(0, 16); };
    return `<form class="range" id="range-form"><span class="muted">Range:</span> ${presets}
      <label>from <input type="datetime-local" name="since" value="${esc(local(r.since))}"></label>
      <label>to <input type="datetime-local" name="until" value="${esc(local(r.until))}"></label>
      <button type="submit">Apply</button>${note ? ` <span class="muted range-note">${note}</span>` : ""}</form>`;
  }
  function bindRange() {
    const form = document.getElementById("range-form");
    if (!form) return;
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const since = form.elements.since.value, until = form.elements.until.value;
      if (!since) return;
      go({ range: null, since: new Date(since).toISOString(), until: until ? new Date(until).toISOString() : null });
    });
  }
  function select(name, label, values, chosen, all = "all") {
    const options = [`<option value="">${esc(all)}</option>`, ...values.map((v) => `<option value="${esc(v)}"${v === chosen ? " selected" : ""}>${esc(v)}</option>`)];
    if (chosen && !values.includes(chosen)) options.push(`<option value="${esc(chosen)}" selected>${esc(chosen)}</option>`);
    return `<label class="facet">${esc(label)} <select data-facet="${esc(name)}">${options.join("")}</select></label>`;
  }
  function bindFacets() {
    view.querySelectorAll("select[data-facet]").forEach((s) => s.addEventListener("change", () => go({ [s.dataset.facet]: s.value })));
  }
  const taskLink = (n) => n ? `<a href="#/task/${enc(n)}${keepRange()}">${esc(n)}</a>` : '<span class="muted">(unnamed)</span>';
  const invLink = (id) => `<a class="mono" href="#/invocation/${enc(id)}">${esc(id)}</a>`;
  function keepRange() {
    const p = new URLSearchParams();
    for (const k of ["range", "since", "until"]) if (current.params.get(k)) p.set(k, current.params.get(k));
    const q = p.toString();
    return q ? `?${q}` : "";
  }

  // ---- tables: every column sorts (numbers by value, text alphabetically), on the rows shown ---------------
  function table(head, rows, cls = "") {
    const th = head.map(([label, type], i) => `<th class="${type === "num" ? "num" : ""}" data-col="${i}" data-type="${type || "text"}" tabindex="0" role="columnheader" aria-sort="none">${label}</th>`).join("");
    return `<div class="table-wrap"><table class="sortable ${cls}"><thead><tr>${th}</tr></thead><tbody>${rows.join("")}</tbody></table></div>`;
  }
  // A cell with its sort value.
  const td = (html, value, type) => `<td${type === "num" ? ' class="num"' : ""} data-v="${esc(value ?? "")}">${html}</td>`;
  function sortBy(th) {
    const tableEl = th.closest("table"), col = Number(th.dataset.col), numeric = th.dataset.type === "num";
    const dir = th.getAttribute("aria-sort") === "descending" ? "ascending" : "descending";
    tableEl.querySelectorAll("th").forEach((h) => h.setAttribute("aria-sort", "none"));
    th.setAttribute("aria-sort", dir);
    const body = tableEl.tBodies[0];
    const rows = [...body.rows];
    const key = (r) => r.cells[col]?.dataset.v ?? "";
    rows.sort((a, b) => {
      const x = key(a), y = key(b);
      let c;
      if (numeric) c = (x === "" ? -Infinity : Number(x)) - (y === "" ? -Infinity : Number(y));
      else c = x.localeCompare(y);
      return dir === "ascending" ? c : -c;
    });
    rows.forEach((r) => body.appendChild(r));
  }
  view.addEventListener("click", (e) => { const th = e.target.closest("table.sortable th"); if (th) sortBy(th); });
  view.addEventListener("keydown", (e) => { const th = e.target.closest("table.sortable th"); if (th && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); sortBy(th); } });

  // ---- charts: plain SVG, hover shows the bucket's values ----------------------------------------------------
  // series: [{ name, values, color, kind: "bar"|"line", fmt }]; times: bucket start times (ISO).
  function chart(title, times, series, { height = 120, fmt = num } = {}) {
    const w = 720, h = height, pad = 4;
    const all = series.flatMap((s) => s.values).filter((v) => v != null && isFinite(v));
    const top = Math.max(...all, 0);
    const max = top || 1;
    const step = (w - 2 * pad) / Math.max(times.length, 1);
    const y = (v) => h - pad - (v / max) * (h - 2 * pad);
    let marks = "";
    for (const s of series) {
      if (s.kind === "bar") {
        s.values.forEach((v, i) => {
          if (!v) return;
          marks += `<rect x="${(pad + i * step + 1).toFixed(1)}" y="${y(v).toFixed(1)}" width="${Math.max(step - 2, 1).toFixed(1)}" height="${(h - pad - y(v)).toFixed(1)}" fill="${s.color}"/>`;
        });
      } else {
        let path = "", pen = false, dots = "";
        s.values.forEach((v, i) => {
          if (v == null) { pen = false; return; }
          const x = (pad + (i + 0.5) * step).toFixed(1);
          path += `${pen ? "L" : "M"}${x},${y(v).toFixed(1)}`;
          // A point with no neighbour would draw nothing as a line: a dot shows it.
          if (s.values[i - 1] == null && s.values[i + 1] == null) dots += `<circle cx="${x}" cy="${y(v).toFixed(1)}" r="3" fill="${s.color}"/>`;
          pen = true;
        });
        marks += `<path d="${path}" fill="none" stroke="${s.color}" stroke-width="1.8"/>${dots}`;
      }
    }
    const legend = series.map((s) => `<span class="key"><svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" fill="${s.color}"/></svg>${esc(s.name)}</span>`).join(" ");
    const points = times.map((t, i) => ({ t, v: series.map((s) => s.values[i]) }));
    const data = esc(JSON.stringify({ points, names: series.map((s) => s.name), fmts: series.map((s) => (s.fmt || fmt).name) }));
    return `<figure class="chart"><figcaption><strong>${esc(title)}</strong> ${legend} <span class="muted">max ${esc((series[0].fmt || fmt)(top))}</span></figcaption>
      <svg viewBox="0 0 ${w} ${h}" preserveAspectRatio="none" role="img" aria-label="${esc(title)}" data-chart="${data}" data-step="${step}" data-pad="${pad}" data-w="${w}">
      <line x1="0" y1="${h - pad}" x2="${w}" y2="${h - pad}" stroke="#dde2e6"/>${marks}<line class="cursor" x1="-10" x2="-10" y1="0" y2="${h}" stroke="#66707a" stroke-dasharray="2,2"/></svg>
      <div class="readout muted" aria-live="polite">Hover for values.</div></figure>`;
  }
  const FORMATS = { num, secs, pct, rate };
  view.addEventListener("mousemove", (e) => {
    const svg = e.target.closest("svg[data-chart]");
    if (!svg) return;
    const d = JSON.parse(svg.dataset.chart);
    const box = svg.getBoundingClientRect();
    const x = (e.clientX - box.left) * (Number(svg.dataset.w) / box.width);
    const i = Math.min(d.points.length - 1, Math.max(0, Math.floor((x - Number(svg.dataset.pad)) / Number(svg.dataset.step))));
    const p = d.points[i];
    if (!p) return;
    svg.querySelector(".cursor").setAttribute("x1", (Number(svg.dataset.pad) + (i + 0.5) * Number(svg.dataset.step)).toFixed(1));
    svg.querySelector(".cursor").setAttribute("x2", (Number(svg.dataset.pad) + (i + 0.5) * Number(svg.dataset.step)).toFixed(1));
    svg.closest("figure").querySelector(".readout").innerHTML =
      `${time(p.t)}: ${d.names.map((n, k) => `${esc(n)} <strong>${esc((FORMATS[d.fmts[k]] || num)(p.v[k]))}</strong>`).join(", ")}`;
  });

  // A small SVG line for a table row (nulls leave gaps), with count bars behind it.
  function sparkline(values, counts, w = 120, h = 24) {
    const max = Math.max(...values.filter((v) => v != null), 0);
    const cmax = Math.max(...(counts || [0]), 0);
    const step = w / Math.max(values.length, 1);
    let bars = "";
    (counts || []).forEach((c, i) => {
      if (!cmax || !c) return;
      const bh = (c / cmax) * (h - 2);
      bars += `<rect x="${(i * step + 0.5).toFixed(1)}" y="${(h - bh).toFixed(1)}" width="${Math.max(step - 1, 0.5).toFixed(1)}" height="${bh.toFixed(1)}" fill="#e3eefa"/>`;
    });
    let path = "", pen = false;
    values.forEach((v, i) => {
      if (v == null || !max) { pen = false; return; }
      path += `${pen ? "L" : "M"}${((i + 0.5) * step).toFixed(1)},${(h - 2 - (v / max) * (h - 4)).toFixed(1)}`;
      pen = true;
    });
    return `<svg class="spark" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="p95 and runs per bucket">${bars}<path d="${path}" fill="none" stroke="#0b5cad" stroke-width="1.5"/></svg>`;
  }

  const regressionBadge = (r) => r.flagged ? `<span class="badge regressed" title="${esc(r.reasons.join("; "))}">regressed</span>` : "";
  const windowNote = (from, to, bucket) => `figures over ${time(from)} to ${time(to)} (whole hours${bucket ? `, ${esc(bucket)} buckets` : ""})`;

  // ---- pages ---------------------------------------------------------------------------------------------
  async function tasksPage(params) {
    const r = rangeOf(params);
    const queue = params.get("queue") || "", group = params.get("worker_group") || "";
    const facetQuery = `${queue ? `&queue=${enc(queue)}` : ""}${group ? `&worker_group=${enc(group)}` : ""}`;
    const [data, facets] = await Promise.all([api(`/api/tasks?${rangeQuery(r)}${facetQuery}`), api(`/api/facets?${rangeQuery(r)}`)]);
    const filters = `<div class="controls">${select("queue", "Queue", facets.queues, queue)} ${select("worker_group", "Worker group", facets.worker_groups, group)}</div>`;
    const head = `<h1>Tasks</h1>${rangeControl(r, windowNote(data.from, data.to, data.bucket))}${filters}`;
    if (!data.tasks.length) {
      view.innerHTML = `${head}<p class="muted" id="empty">No task ran in this range${queue || group ? " with these filters" : ""}. Pick a longer range, or post events to <code>/api/events</code> or point Ingest at your broker.</p>`;
      bindRange(); bindFacets();
      return;
    }
    // The overview: every task's series added up (all share the buckets).
    const times = data.tasks[0].series.map((p) => p.from);
    const runs = times.map((_, i) => data.tasks.reduce((a, t) => a + t.series[i].total, 0));
    const failed = times.map((_, i) => data.tasks.reduce((a, t) => a + t.series[i].failed, 0));
    const failRate = times.map((_, i) => runs[i] ? failed[i] / runs[i] : null);
    const rows = data.tasks.map((t) => {
      const w = t.window;
      return `<tr data-task="${esc(t.name)}">
      ${td(`${taskLink(t.name)} ${regressionBadge(t.regression)}`, t.name)}
      ${td(num(w.total), w.total, "num")}${td(rate(w.rate_per_min), w.rate_per_min, "num")}${td(num(w.failed), w.failed, "num")}
      ${td(pct(w.failure_rate), w.failure_rate, "num")}${td(secs(w.runtime.p50_s), w.runtime.p50_s, "num")}${td(secs(w.runtime.p95_s), w.runtime.p95_s, "num")}
      ${td(secs(w.runtime.p99_s), w.runtime.p99_s, "num")}${td(secs(w.queue_wait?.p95_s), w.queue_wait?.p95_s, "num")}${td(secs(w.pickup?.p95_s), w.pickup?.p95_s, "num")}
      ${td(sparkline(t.series.map((p) => p.p95_s), t.series.map((p) => p.total)), w.runtime.p95_s)}</tr>`;
    });
    view.innerHTML = `${head}
      <div class="charts">${chart("Runs per bucket", times, [{ name: "runs", values: runs, color: "#9cc3ea", kind: "bar" }, { name: "failed", values: failed, color: "#e57373", kind: "bar" }])}
      ${chart("Failure rate", times, [{ name: "failure rate", values: failRate, color: "#c62828", kind: "line", fmt: pct }], { fmt: pct })}</div>
      ${table([["Task"], ["Runs", "num"], ["/min", "num"], ["Failed", "num"], ["Failure rate", "num"], ["p50", "num"], ["p95", "num"], ["p99", "num"],
        ["Queue wait p95", "num"], ["Pickup p95", "num"], ["p95 trend"]], rows, "tasks")}
      <p class="muted">/min: runs over the minutes of the range that have passed. Queue wait: sent to received (needs <code>task_send_sent_event</code>); pickup: received to started. Regression verdict: the last hours before the range's end against the day before them.</p>`;
    bindRange(); bindFacets();
  }

  async function taskPage(name, params) {
    const r = rangeOf(params);
    const queue = params.get("queue") || "", group = params.get("worker_group") || "", st = params.get("state") || "";
    const bucket = `${Math.max(1, Math.ceil(rangeHours(r) / 48))}h`;
    const facetQuery = `${queue ? `&queue=${enc(queue)}` : ""}${group ? `&worker_group=${enc(group)}` : ""}`;
    const runsQuery = `name=${enc(name)}&${rangeQuery(r)}${st ? `&state=${enc(st)}` : ""}${queue ? `&queue=${enc(queue)}` : ""}&limit=${pageSize(params)}${params.get("cursor") ? `&cursor=${enc(params.get("cursor"))}` : ""}`;
    const [stats, runs, failures, facets] = await Promise.all([
      api(`/api/tasks/${enc(name)}/stats?${rangeQuery(r)}&bucket=${bucket}${facetQuery}`).catch((e) => ({ error: e.message })),
      api(`/api/invocations?${runsQuery}`),
      api(`/api/failures?${rangeQuery(r)}&name=${enc(name)}`),
      api(`/api/facets?${rangeQuery(r)}`),
    ]);
    let top = `<h1>${esc(name)}</h1>${rangeControl(r)}<div class="controls">${select("queue", "Queue", facets.queues, queue)} ${select("worker_group", "Worker group", facets.worker_groups, group)}</div>`;
    if (stats.error) {
      top += `<p class="muted">${esc(stats.error)}</p>`;
    } else {
      const v = stats.regression;
      top += v.flagged
        ? `<div class="notice bad"><strong>Regressed.</strong> ${v.reasons.map(esc).join("; ")}.<br><span class="muted">Recent ${time(v.recent.from)} to ${time(v.recent.to)} against ${time(v.baseline.from)} to ${time(v.baseline.to)}.</span></div>`
        : `<p class="muted">No regression: recent p95 ${secs(v.recent.runtime.p95_s)}, failure rate ${pct(v.recent.failure_rate)} (${num(v.recent.total)} runs) against p95 ${secs(v.baseline.runtime.p95_s)}, ${pct(v.baseline.failure_rate)} (${num(v.baseline.total)} runs) before it.</p>`;
      const s = stats.series, times = s.map((b) => b.from);
      top += `<p class="muted">${windowNote(s[0]?.from, s[s.length - 1]?.to, stats.bucket)}</p><div class="charts">
        ${chart("Runs", times, [{ name: "succeeded", values: s.map((b) => b.succeeded), color: "#8fd19e", kind: "bar" }, { name: "failed", values: s.map((b) => b.failed), color: "#e57373", kind: "bar" }])}
        ${chart("Failure rate", times, [{ name: "failure rate", values: s.map((b) => b.failure_rate), color: "#c62828", kind: "line", fmt: pct }], { fmt: pct })}
        ${chart("Runtime", times, [{ name: "p50", values: s.map((b) => b.runtime.p50_s), color: "#8fb8e0", kind: "line", fmt: secs }, { name: "p95", values: s.map((b) => b.runtime.p95_s), color: "#0b5cad", kind: "line", fmt: secs }, { name: "p99", values: s.map((b) => b.runtime.p99_s), color: "#143d66", kind: "line", fmt: secs }], { fmt: secs })}
        ${chart("Waits (p95): the queue or the worker?", times, [{ name: "in queue", values: s.map((b) => b.queue_wait?.p95_s ?? null), color: "#b26a00", kind: "line", fmt: secs }, { name: "for a worker slot", values: s.map((b) => b.pickup?.p95_s ?? null), color: "#6a1b9a", kind: "line", fmt: secs }], { fmt: secs })}
      </div>`;
    }
    const fmax = Math.max(...failures.groups.map((g) => g.count), 1);
    const exceptions = failures.groups.length
      ? `<h2>Exceptions</h2>${table([["Exception"], ["Count", "num"], ["Share"], ["Last seen"]], failures.groups.map((g) => `<tr>
          ${td(`<a class="mono" href="${runsHref({ name, state: "FAILURE", exception_type: g.exception_type })}">${esc(g.exception_type || "(no exception)")}</a>`, g.exception_type)}
          ${td(num(g.count), g.count, "num")}${td(`<svg class="bar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true"><rect width="${(100 * g.count / fmax).toFixed(1)}" height="8" fill="#e57373"/></svg>`, g.count)}${td(time(g.last_seen), g.last_seen)}</tr>`))}`
      : "";
    // Where it ran: by queue and by worker group, each opening the task page with that facet.
    const breakdown = (title, label, cls, facet, items) => {
      if (!items?.length) return "";
      const most = Math.max(...items.map((b) => b.figures.total), 1);
      return `<div><h2>${esc(title)}</h2>${table([[label], ["Runs", "num"], ["Share"], ["Failure rate", "num"], ["p95 runtime", "num"], ["p95 in queue", "num"]], items.map((b) => `<tr data-key="${esc(b.key)}">
        ${td(`<a href="${link({ [facet]: b.key })}">${esc(b.key || "(none)")}</a>`, b.key)}${td(num(b.figures.total), b.figures.total, "num")}
        ${td(`<svg class="bar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true"><rect width="${(100 * b.figures.total / most).toFixed(1)}" height="8" fill="#8fb8e0"/></svg>`, b.figures.total)}
        ${td(pct(b.figures.failure_rate), b.figures.failure_rate, "num")}${td(secs(b.figures.runtime.p95_s), b.figures.runtime.p95_s, "num")}
        ${td(secs(b.figures.queue_wait?.p95_s), b.figures.queue_wait?.p95_s, "num")}</tr>`), cls)}</div>`;
    };
    const where = stats.error ? "" : `<div class="breakdowns">${breakdown("By queue", "Queue", "by-queue", "queue", stats.queues)}${breakdown("By worker group", "Worker group", "by-group", "worker_group", stats.worker_groups)}</div>`;
    const stateFilter = select("state", "State", STATES, st, "any state");
    view.innerHTML = `${top}${exceptions}${where}<h2>Runs in range</h2><div class="controls">${stateFilter}</div>${invocationTable(runs.items)}${pager(runs)}`;
    bindRange(); bindFacets();
  }

  function runsHref(filters) {
    const p = new URLSearchParams();
    for (const k of ["range", "since", "until"]) if (current.params.get(k)) p.set(k, current.params.get(k));
    for (const [k, v] of Object.entries(filters)) if (v) p.set(k, v);
    return `#/runs?${p}`;
  }

  const pageSize = (params) => Math.min(1000, Math.max(1, Number(params.get("limit")) || 50));

  function pager(page) {
    const first = current.params.get("cursor") ? `<a href="${link({ cursor: null })}">Newest</a>` : "";
    const next = page.next_cursor ? `<a href="${link({ cursor: page.next_cursor })}" rel="next" id="older">Older runs</a>` : "";
    return first || next ? `<p class="pager">${first} ${next}</p>` : "";
  }

  async function runsPage(params) {
    const r = rangeOf(params);
    const f = Object.fromEntries(["name", "state", "queue", "worker", "exception_type"].map((k) => [k, params.get(k) || ""]));
    const q = Object.entries(f).filter(([, v]) => v).map(([k, v]) => `&${k}=${enc(v)}`).join("");
    const [page, facets] = await Promise.all([
      api(`/api/invocations?${rangeQuery(r)}${q}&limit=${pageSize(params)}${params.get("cursor") ? `&cursor=${enc(params.get("cursor"))}` : ""}`),
      api(`/api/facets?${rangeQuery(r)}`),
    ]);
    const what = [f.name && `task ${esc(f.name)}`, f.state && `state ${esc(f.state)}`, f.exception_type && `exception ${esc(f.exception_type)}`,
      f.queue && `queue ${esc(f.queue)}`, f.worker && `worker ${esc(f.worker)}`].filter(Boolean).join(", ");
    view.innerHTML = `<h1>Runs${what ? `: ${what}` : ""}</h1>${rangeControl(r)}
      <div class="controls">${select("name", "Task", facets.names, f.name, "any task")} ${select("state", "State", STATES, f.state, "any state")}
      ${select("queue", "Queue", facets.queues, f.queue)} ${select("worker", "Worker", facets.workers, f.worker)}
      ${f.exception_type ? `<a href="${link({ exception_type: null })}" class="chip">exception ${esc(f.exception_type)} ×</a>` : ""}</div>
      <p class="muted" id="result-count">${page.items.length}${page.next_cursor ? "+" : ""} shown, newest first.</p>
      ${invocationTable(page.items)}${pager(page)}`;
    bindRange(); bindFacets();
  }

  function invocationTable(items) {
    if (!items.length) return '<p class="muted" id="no-runs">None.</p>';
    return table([["Task id"], ["Task"], ["State"], ["At"], ["Worker"], ["Queue"], ["In queue", "num"], ["Pickup", "num"], ["Runtime", "num"], ["Args / kwargs"]],
      items.map((i) => `<tr data-task-id="${esc(i.task_id)}">${td(invLink(i.task_id), i.task_id)}${td(taskLink(i.name), i.name)}${td(state(i.state), i.state)}
      ${td(time(i.finished_at || i.state_at), i.finished_at || i.state_at)}${td(`<span class="mono">${esc(i.worker || "-")}</span>`, i.worker)}${td(esc(i.queue || "-"), i.queue)}
      ${td(secs(i.wait_queue_s), i.wait_queue_s, "num")}${td(secs(i.wait_worker_s), i.wait_worker_s, "num")}${td(secs(i.runtime_s), i.runtime_s, "num")}
      ${td(`<span class="mono">${clip(i.args, 60)} ${clip(i.kwargs, 100)}</span>`, `${i.args || ""} ${i.kwargs || ""}`)}</tr>`), "runs");
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
    let notice = "";
    if (i.source === "in_flight") notice = '<p class="notice" id="live-state">Still running: this is the live state in memory, not yet stored.</p>';
    else if (i.source === "recent") notice = '<p class="notice" id="live-state">Finished moments ago: shown from memory while it is written.</p>';
    else if (!i.finished) notice = `<p class="notice" id="live-state">Not finished when Ingest last saw it (${esc(i.state)} at ${time(i.state_at)}). Ingest no longer tracks it: it was written when Ingest stopped, set aside under memory pressure, or went silent past the idle timeout. Its outcome is unknown.</p>`;
    if (i.details_dropped) notice += '<p class="notice" id="details-dropped">Args, kwargs, result and traceback of this day were dropped by detail retention (<span class="mono">--detail-days</span>); the run, its state and its error are kept.</p>';
    // The lifecycle, each step with the wait before it.
    const steps = [["Sent", i.sent_at, null], ["Received", i.received_at, i.wait_queue_s], ["Started", i.started_at, i.wait_worker_s], [i.state === "FAILURE" ? "Failed" : "Finished", i.finished_at, i.runtime_s]];
    const labels = [null, "in queue", "waiting for a slot", "running"];
    const timeline = `<ol class="timeline">${steps.map(([label, at, wait], k) => `<li class="${at ? "" : "missing"}">
      ${k && wait != null ? `<span class="wait">${esc(labels[k])} ${secs(wait)}</span>` : ""}<strong>${esc(label)}</strong> ${at ? time(at) : '<span class="muted">not seen</span>'}</li>`).join("")}</ol>`;
    view.innerHTML = `<h1>${state(i.state)} ${taskLink(i.name)} <span class="mono muted">${esc(i.task_id)}</span></h1>${notice}
      ${timeline}
      <div class="grid"><div class="card"><dl class="kv">
        <dt>Worker</dt><dd class="mono">${esc(i.worker || "-")}</dd><dt>Queue</dt><dd>${esc(i.queue || "-")}</dd>
        <dt>Runtime</dt><dd>${secs(i.runtime_s)}</dd><dt>Retries</dt><dd>${num(i.retries)}${i.retries ? ` (the same task id ran ${i.retries + 1} times; this is its last attempt)` : ""}</dd>
        <dt>Parent</dt><dd>${i.parent_id ? invLink(i.parent_id) : "-"}</dd><dt>Root</dt><dd>${i.root_id ? invLink(i.root_id) : "-"}</dd>
        ${i.eta ? `<dt>ETA</dt><dd>${esc(i.eta)}</dd>` : ""}${i.expires ? `<dt>Expires</dt><dd>${esc(i.expires)}</dd>` : ""}
      </dl></div></div>
      ${block("Exception", i.exception)}${block("Traceback", i.traceback)}
      ${block("Args", i.args)}${block("Kwargs", i.kwargs)}${block("Result", i.result)}`;
  }

  async function failuresPage(params) {
    const r = rangeOf(params);
    const queue = params.get("queue") || "", group = params.get("worker_group") || "";
    const [data, facets] = await Promise.all([
      api(`/api/failures?${rangeQuery(r)}${queue ? `&queue=${enc(queue)}` : ""}${group ? `&worker_group=${enc(group)}` : ""}`),
      api(`/api/facets?${rangeQuery(r)}`),
    ]);
    const rows = data.groups.map((g) => `<tr data-group="${esc(g.name)}|${esc(g.exception_type)}">${td(taskLink(g.name), g.name)}
      ${td(`<span class="mono">${esc(g.exception_type || "(no exception)")}</span>`, g.exception_type)}${td(num(g.count), g.count, "num")}
      ${td(time(g.first_seen), g.first_seen)}${td(time(g.last_seen), g.last_seen)}
      ${td(`<a href="${runsHref({ name: g.name, state: "FAILURE", exception_type: g.exception_type, queue })}" class="all-runs">${group ? "runs (all worker groups)" : g.count === 1 ? "the run" : `all ${num(g.count)} runs`}</a>`, g.count)}</tr>`);
    view.innerHTML = `<h1>Failures</h1>${rangeControl(r, `counted over ${time(data.since)} to ${time(data.until)} (whole hours)`)}
      <div class="controls">${select("queue", "Queue", facets.queues, queue)} ${select("worker_group", "Worker group", facets.worker_groups, group)}</div>
      ${data.groups.length ? table([["Task"], ["Exception"], ["Count", "num"], ["First seen"], ["Last seen"], ["Runs"]], rows, "failures") : '<p class="muted">No failures in that range.</p>'}`;
    bindRange(); bindFacets();
  }

  async function workersPage(params) {
    const data = await api("/api/workers");
    const group = params.get("worker_group") || "";
    const groups = [...new Set(data.items.map((w) => w.worker_group))].sort();
    const items = data.items.filter((w) => !group || w.worker_group === group);
    const rows = items.map((w) => `<tr data-worker="${esc(w.hostname)}">${td(`<span class="mono">${esc(w.hostname)}</span>`, w.hostname)}${td(esc(w.worker_group), w.worker_group)}
      ${td(`<span class="badge worker-${esc(w.status)}">${esc(w.status)}</span>`, w.status)}${td(num(w.active), w.active, "num")}${td(num(w.processed), w.processed, "num")}
      ${td(esc((w.load_average || []).map((l) => l.toFixed(2)).join(" ") || "-"), (w.load_average || [])[0])}${td(esc(w.software_version || "-"), w.software_version)}
      ${td(time(w.last_heartbeat_at), w.last_heartbeat_at)}${td(`${Math.round(w.seconds_since_seen)} s`, w.seconds_since_seen, "num")}
      ${td(w.queues.map((q) => `<a href="${runsHref({ queue: q })}">${esc(q)}</a>`).join(" ") || "-", w.queues.join(" "))}</tr>`);
    const counts = ["online", "lost", "offline"].map((s) => `${num(data.items.filter((w) => w.status === s).length)} ${s}`).join(", ");
    view.innerHTML = `<h1>Workers <span class="muted">(${counts})</span></h1>
      <div class="controls">${select("worker_group", "Worker group", groups, group)}</div>
      ${items.length ? table([["Worker"], ["Group"], ["Status"], ["Active", "num"], ["Processed", "num"], ["Load"], ["Celery"], ["Last heartbeat"], ["Seen", "num"], ["Queues"]], rows, "workers")
        : '<p class="muted">No worker has sent a heartbeat yet: start workers with <code>-E</code> and bind <code>worker.#</code> (the default binding does).</p>'}
      <p class="muted">From worker-online, heartbeat and offline events: lost means heartbeats stopped without a goodbye.</p>`;
    bindFacets();
  }

  // Broker queues as sampled (AMQP passive declare, Redis LLEN): is the fleet keeping up, as the queue sees it.
  async function queuesPage(params) {
    const r = rangeOf(params);
    const data = await api(`/api/queues?${rangeQuery(r)}`);
    const s = data.sampling;
    const rows = data.queues.map((q) => `<tr data-queue="${esc(q.name)}">${td(`<a href="${runsHref({ queue: q.name })}">${esc(q.name)}</a>`, q.name)}
      ${td(q.length == null ? '<span class="muted">no recent reading</span>' : num(q.length), q.length, "num")}${td(num(q.consumers), q.consumers, "num")}
      ${td(num(q.max_in_range), q.max_in_range, "num")}${td(q.exists === false ? '<span class="badge state-FAILURE">not on the broker</span>' : time(q.sampled_at), q.sampled_at)}</tr>`);
    const charts = data.queues.filter((q) => q.series.length).map((q) => {
      // One point per bucket of the range, gaps where no sample was taken.
      const byT = new Map(q.series.map((p) => [new Date(p.t).getTime(), p]));
      const from = Math.floor(new Date(data.from).getTime() / (data.bucket_s * 1000)) * data.bucket_s * 1000, to = new Date(data.to).getTime();
      const times = [];
      for (let t = from; t < to; t += data.bucket_s * 1000) times.push(new Date(t).toISOString());
      const at = (t, k) => byT.get(new Date(t).getTime())?.[k] ?? null;
      return chart(`${q.name}: messages waiting`, times, [
        { name: "largest", values: times.map((t) => at(t, "max")), color: "#0b5cad", kind: "line" },
        { name: "mean", values: times.map((t) => at(t, "mean")), color: "#8fb8e0", kind: "line" }]);
    });
    const status = !s.enabled ? "Sampling is off (--queue-sample-s 0)."
      : !s.broker ? "No broker to sample: give --broker (RabbitMQ or Redis)."
      : `Sampled from ${esc(s.broker)} every ${num(s.interval_s)} s; ${num(s.queues_sampled)} queues (at most ${num(s.max_queues)}), ${num(s.failures)} failed samples${s.last_error ? ` (last: ${esc(s.last_error)})` : ""}; ${num(s.lost)} samples lost.`;
    view.innerHTML = `<h1>Queues</h1>${rangeControl(r, `buckets of ${num(data.bucket_s)} s`)}<p class="muted">${status}</p>
      ${data.queues.length ? table([["Queue"], ["Waiting now", "num"], ["Consumers", "num"], ["Most in range", "num"], ["Sampled"]], rows, "queues")
        : '<p class="muted">No queue sampled yet: queues are those task events name, plus --sample-queues (default celery).</p>'}
      <div class="charts">${charts.join("")}</div>`;
    bindRange();
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
      const perSecond = previous ? ((r.invocations.flushed - previous.flushed) / ((now - previous.at) / 1000)) : null;
      previous = { flushed: r.invocations.flushed, at: now };
      renderReport(r, perSecond);
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

  function renderReport(r, perSecond) {
    const kv = (pairs) => `<dl class="kv">${pairs.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join("")}</dl>`;
    const dict = (o) => Object.keys(o || {}).length ? Object.entries(o).map(([k, v]) => `${esc(k)}: ${num(v)}`).join(", ") : "none";
    const oldest = r.tracker.oldest_in_flight_seen_at ? `${((Date.now() - new Date(r.tracker.oldest_in_flight_seen_at)) / 1000).toFixed(0)} s` : "-";
    const sources = Object.entries(r.sources || {}).map(([name, s]) => `<div class="card"><h2>${esc(name)}</h2>${kv(Object.entries(s).filter(([, v]) => typeof v !== "object").map(([k, v]) => [k, esc(v)]))}</div>`).join("");
    document.getElementById("ingest-report").innerHTML = `
      <div class="card"><h2>Status <span class="badge ${esc(r.status)}">${esc(r.status)}</span></h2>${kv([
        ["Reasons", r.reasons.length ? r.reasons.map(esc).join("<br>") : "none"],
        ["Stored per second", perSecond == null ? "…" : perSecond.toFixed(1)],
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
    current = { path: path || "/", params };
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    const nav = { task: "tasks", runs: "tasks", invocation: "tasks", search: "tasks" }[parts[0]] || parts[0] || "tasks";
    document.querySelectorAll("nav a").forEach((a) => a.classList.toggle("active", a.dataset.nav === nav));
    view.innerHTML = '<p class="muted">Loading…</p>';
    try {
      if (!parts.length) await tasksPage(params);
      else if (parts[0] === "task") await taskPage(parts.slice(1).join("/"), params);
      else if (parts[0] === "runs") await runsPage(params);
      else if (parts[0] === "search") await searchPage(params.get("q") || "", params.get("cursor"));
      else if (parts[0] === "invocation") await invocationPage(parts[1]);
      else if (parts[0] === "failures") await failuresPage(params);
      else if (parts[0] === "workers") await workersPage(params);
      else if (parts[0] === "queues") await queuesPage(params);
      else if (parts[0] === "ingest") ingestPage();
      else view.innerHTML = '<p>Not found. <a href="#/">Tasks</a></p>';
    } catch (e) {
      view.innerHTML = `<div class="notice bad">${esc(e.message)}</div>`;
    }
    view.dataset.loaded = hash;
  }

  document.getElementById("search").addEventListener("submit", (e) => {
    e.preventDefault();
    const q = document.getElementById("q").value.trim();
    if (q) location.hash = `#/search?q=${enc(q)}`;
  });
  window.addEventListener("hashchange", route);
  // Sign-in off: no sign-out button; on: say who is signed in.
  api("/api/me").then((me) => {
    const out = document.querySelector("form.signout");
    if (!me.auth_enabled) out.remove();
    else if (me.user) out.querySelector("button").title = `Signed in as ${me.user}`;
  }).catch(() => {});
  // /healthz answers 503 with its report when failing: read the body either way.
  fetch("/healthz").then((r) => r.json()).then((h) => setHealth(h.status)).catch(() => setHealth("unreachable"));
  route();
})();
