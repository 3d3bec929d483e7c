// Charts: plain SVG built through html`...`, with a time axis in the viewer's zone, a y scale in the series' unit,
// values on hover and from the keyboard (arrow keys on the focused chart), and every value in a list under it.
// A bucket cut short by the range or still in progress is hatched: it is not a drop in traffic (issue 25).
import { html, join, render } from "./html.js";
import { FORMATS, num, time } from "./format.js";

const f1 = (n) => n.toFixed(1);
const W = 720;
// Each chart's hatch patterns get ids of their own: several charts share a page.
let serial = 0;

// The round number at or above v (1, 2 or 5 times a power of ten), so the scale's top reads plainly.
function niceTop(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * p).find((m) => m >= v * (1 - 1e-9));
}

// Tick steps for the time axis, in minutes: the first that leaves at most `most` ticks.
const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080];

/** Times (ms) for the axis labels: local round times (whole local hours, days) inside [t0, t1], at most `most`. */
export function axisTicks(t0, t1, most) {
  const span = (t1 - t0) / 60e3;
  const step = STEPS.find((m) => span / m <= most) ?? STEPS[STEPS.length - 1];
  const offset = new Date(t0).getTimezoneOffset() * 60e3;
  const stepMs = step * 60e3;
  const ticks = [];
  for (let t = Math.ceil((t0 - offset) / stepMs) * stepMs + offset; t <= t1; t += stepMs) ticks.push(t);
  return { ticks, step };
}

// A label in the viewer's zone: hours and minutes, with the day where the axis spans days or the tick starts one.
function tickLabel(ms, step, multiDay) {
  const d = new Date(ms);
  const hm = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  if (step >= 1440) return d.toLocaleDateString([], { month: "short", day: "numeric" });
  return multiDay && d.getHours() === 0 && d.getMinutes() === 0 ? `${d.toLocaleDateString([], { month: "short", day: "numeric" })} ${hm}` : hm;
}

// The marks of one series: a bar per non-zero bucket (hatched where partial), or a line broken where a value is missing.
function marksOf(s, k, { h, pad, x, y, buckets, id }) {
  if (s.kind === "bar") {
    return s.values.map((v, i) => {
      if (!v) return "";
      const b = buckets[i], left = x(b.from) + 1, width = Math.max(x(b.to) - x(b.from) - 2, 1);
      return html`<rect x="${f1(left)}" y="${f1(y(v))}" width="${f1(width)}" height="${f1(h - pad - y(v))}" fill="${b.partial ? `url(#${id}-${k})` : s.color}"${b.partial ? html` class="partial" stroke="${s.color}" stroke-dasharray="3,2"` : ""}/>`;
    });
  }
  let path = "", pen = false;
  const dots = [];
  s.values.forEach((v, i) => {
    if (v == null) { pen = false; return; }
    const b = buckets[i], cx = f1((x(b.from) + x(b.to)) / 2);
    path += `${pen ? "L" : "M"}${cx},${f1(y(v))}`;
    // A point with no neighbour would draw nothing as a line, and a partial bucket's value is marked hollow.
    if (b.partial || (s.values[i - 1] == null && s.values[i + 1] == null)) dots.push(html`<circle cx="${cx}" cy="${f1(y(v))}" r="3" fill="${b.partial ? "#fff" : s.color}" stroke="${s.color}"${b.partial ? html` class="partial"` : ""}/>`);
    pen = true;
  });
  return html`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="1.8"/>${dots}`;
}

/**
 * series: [{ name, values, color, kind: "bar"|"line", fmt }]; times: bucket start times (ISO).
 * Options: ends (bucket end times, ISO; default the next start), partial (a flag per bucket), unit (the y scale's unit).
 */
export function chart(title, times, series, { height = 120, fmt = num, ends = null, partial = null, unit = "" } = {}) {
  const h = height, pad = 4;
  const starts = times.map((t) => new Date(t).getTime());
  const guess = starts.length > 1 ? starts[starts.length - 1] - starts[starts.length - 2] : 3600e3;
  const buckets = starts.map((from, i) => ({ from, to: ends?.[i] ? new Date(ends[i]).getTime() : starts[i + 1] ?? from + guess, partial: !!partial?.[i] }));
  const t0 = buckets[0]?.from ?? 0, t1 = buckets[buckets.length - 1]?.to ?? 1;
  const x = (t) => pad + ((t - t0) / Math.max(t1 - t0, 1)) * (W - 2 * pad);
  const all = series.flatMap((s) => s.values).filter((v) => v != null && isFinite(v));
  const top = Math.max(...all, 0), max = niceTop(top);
  const y = (v) => h - pad - (v / max) * (h - 2 * pad);
  const yFmt = series[0].fmt || fmt, scale = (v) => `${yFmt(v)}${unit ? ` ${unit}` : ""}`;
  const id = `partial-${++serial}`;
  const marks = series.map((s, k) => marksOf(s, k, { h, pad, x, y, buckets, id }));
  const hatches = series.map((s, k) => html`<pattern id="${id}-${k}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><rect width="3" height="6" fill="${s.color}"/></pattern>`);
  const legend = join(series.map((s) => html`<span class="key"><svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" fill="${s.color}"/></svg>${s.name}</span>`), " ");
  const { ticks, step } = axisTicks(t0, t1, 6);
  const multiDay = t1 - t0 > 36 * 3600e3;
  const pct = (t) => f1((100 * x(t)) / W);
  // Placed by layoutAxes (the CSP refuses inline style attributes; a style set from script is allowed).
  const axis = ticks.map((t) => html`<span class="tick" data-x="${pct(t)}">${tickLabel(t, step, multiDay)}</span>`);
  const grid = [0, 0.5, 1].map((f) => html`<line x1="0" x2="${W}" y1="${f1(y(max * f))}" y2="${f1(y(max * f))}" stroke="${f ? "#eef1f4" : "#c9d0d6"}"/>`);
  const points = buckets.map((b, i) => ({ t: times[i], e: new Date(b.to).toISOString(), p: b.partial, x: f1((x(b.from) + x(b.to)) / 2), v: series.map((s) => s.values[i]) }));
  const data = JSON.stringify({ points, names: series.map((s) => s.name), fmts: series.map((s) => (s.fmt || fmt).name) });
  const fmts = series.map((s) => s.fmt || fmt);
  // Every bucket's values as a list (not a table: the pages' own tables come first among their rows).
  const rows = points.map((p) => html`<li>${time(p.t)}${p.p ? " (partial)" : ""}: ${join(series.map((s, k) => html`${s.name} ${fmts[k](p.v[k])}`), ", ")}</li>`);
  return html`<figure class="chart"><figcaption><strong>${title}</strong> ${legend} <span class="muted">max ${yFmt(top)}</span>${partial?.some(Boolean) ? html` <span class="key muted"><svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" fill="url(#${id}-0)" stroke="#999"/></svg>partial bucket</span>` : ""}</figcaption>
      <div class="plot"><div class="y-axis" aria-hidden="true"><span class="top">${scale(max)}</span><span class="mid">${scale(max / 2)}</span><span class="bottom">${scale(0)}</span></div>
      <svg viewBox="0 0 ${W} ${h}" preserveAspectRatio="none" role="img" tabindex="0" aria-label="${title}: ${points.length} buckets from ${new Date(t0).toLocaleString()} to ${new Date(t1).toLocaleString()}, scale 0 to ${scale(max)}. Arrow keys read each bucket; the values are also listed below." data-chart="${data}" data-w="${W}">
      <defs>${hatches}</defs>${grid}${marks}<line class="cursor" x1="-10" x2="-10" y1="0" y2="${h}" stroke="#66707a" stroke-dasharray="2,2"/></svg>
      <div class="x-axis${ticks.length > 4 ? " many" : ""}" aria-hidden="true">${axis}</div></div>
      <div class="readout muted" aria-live="polite">Hover, or focus the chart and use the arrow keys, for a bucket's values.</div>
      <details class="chart-values"><summary>Values of ${title}, by bucket</summary><ol>${rows}</ol></details></figure>`;
}

// Shows bucket i of a chart: the cursor on it and its values in the readout.
function show(svg, i) {
  const d = JSON.parse(svg.dataset.chart);
  const p = d.points[Math.min(d.points.length - 1, Math.max(0, i))];
  if (!p) return;
  svg.dataset.at = String(d.points.indexOf(p));
  svg.querySelector(".cursor").setAttribute("x1", p.x);
  svg.querySelector(".cursor").setAttribute("x2", p.x);
  render(svg.closest("figure").querySelector(".readout"),
    html`${time(p.t)} to ${time(p.e)}${p.p ? " (partial)" : ""}: ${join(d.names.map((n, k) => html`${n} <strong>${(FORMATS[d.fmts[k]] || num)(p.v[k])}</strong>`), ", ")}`);
}

// Puts each time label at its place along the axis (a percentage of the plot's width).
function layoutAxes(view) {
  for (const tick of view.querySelectorAll(".x-axis .tick[data-x]")) {
    tick.style.left = `${Number(tick.dataset.x)}%`;
    tick.removeAttribute("data-x");
  }
}

/**
 * The cursor and readout of the chart under the mouse, or focused and moved with the arrow keys, anywhere within view;
 * and the time labels of every chart drawn into it.
 */
export function bindChartHover(view) {
  new MutationObserver(() => layoutAxes(view)).observe(view, { childList: true, subtree: true });
  view.addEventListener("mousemove", (e) => {
    const svg = e.target.closest("svg[data-chart]");
    if (!svg) return;
    const d = JSON.parse(svg.dataset.chart);
    const box = svg.getBoundingClientRect();
    const at = (e.clientX - box.left) * (Number(svg.dataset.w) / box.width);
    // The bucket whose middle is nearest: buckets are as wide as their time, so a cut one is narrow.
    let best = 0;
    d.points.forEach((p, i) => { if (Math.abs(p.x - at) < Math.abs(d.points[best].x - at)) best = i; });
    show(svg, best);
  });
  view.addEventListener("keydown", (e) => {
    const svg = e.target.closest?.("svg[data-chart]");
    if (!svg) return;
    const n = JSON.parse(svg.dataset.chart).points.length, i = Number(svg.dataset.at ?? n);
    const next = { ArrowLeft: i - 1, ArrowRight: svg.dataset.at == null ? 0 : i + 1, Home: 0, End: n - 1 }[e.key];
    if (next == null) return;
    e.preventDefault();
    show(svg, next);
  });
  view.addEventListener("focusin", (e) => {
    const svg = e.target.closest?.("svg[data-chart]");
    if (svg && svg.dataset.at == null) show(svg, JSON.parse(svg.dataset.chart).points.length - 1);
  });
}

/** A small SVG line for a table row (nulls leave gaps), with count bars behind it. */
export function sparkline(values, counts, w = 120, h = 24) {
  const max = Math.max(...values.filter((v) => v != null), 0);
  const cmax = Math.max(...(counts || [0]), 0);
  const step = w / Math.max(values.length, 1);
  const bars = (counts || []).map((c, i) => {
    if (!cmax || !c) return "";
    const bh = (c / cmax) * (h - 2);
    return html`<rect x="${f1(i * step + 0.5)}" y="${f1(h - bh)}" width="${f1(Math.max(step - 1, 0.5))}" height="${f1(bh)}" fill="#e3eefa"/>`;
  });
  let path = "", pen = false;
  values.forEach((v, i) => {
    if (v == null || !max) { pen = false; return; }
    path += `${pen ? "L" : "M"}${f1((i + 0.5) * step)},${f1(h - 2 - (v / max) * (h - 4))}`;
    pen = true;
  });
  return html`<svg class="spark" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="p95 and runs per bucket">${bars}<path d="${path}" fill="none" stroke="#0b5cad" stroke-width="1.5"/></svg>`;
}

/** A horizontal bar, its length value's share of the largest. */
export const shareBar = (value, largest, color) => html`<svg class="bar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true"><rect width="${f1(100 * value / largest)}" height="8" fill="${color}"/></svg>`;
