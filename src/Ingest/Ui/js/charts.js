// Charts: plain SVG built through html`...`; hovering a chart shows the bucket's values.
import { html, join, render } from "./html.js";
import { FORMATS, num, time } from "./format.js";

const f1 = (n) => n.toFixed(1);

// The marks of one series: a bar per non-zero bucket, or a line broken where a value is missing.
function marksOf(s, { h, pad, step, y }) {
  if (s.kind === "bar") {
    return s.values.map((v, i) => v
      ? html`<rect x="${f1(pad + i * step + 1)}" y="${f1(y(v))}" width="${f1(Math.max(step - 2, 1))}" height="${f1(h - pad - y(v))}" fill="${s.color}"/>`
      : "");
  }
  let path = "", pen = false;
  const dots = [];
  s.values.forEach((v, i) => {
    if (v == null) { pen = false; return; }
    const x = f1(pad + (i + 0.5) * step);
    path += `${pen ? "L" : "M"}${x},${f1(y(v))}`;
    // A point with no neighbour would draw nothing as a line: a dot shows it.
    if (s.values[i - 1] == null && s.values[i + 1] == null) dots.push(html`<circle cx="${x}" cy="${f1(y(v))}" r="3" fill="${s.color}"/>`);
    pen = true;
  });
  return html`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="1.8"/>${dots}`;
}

/** series: [{ name, values, color, kind: "bar"|"line", fmt }]; times: bucket start times (ISO). */
export function chart(title, times, series, { height = 120, fmt = num } = {}) {
  const w = 720, h = height, pad = 4;
  const all = series.flatMap((s) => s.values).filter((v) => v != null && isFinite(v));
  const top = Math.max(...all, 0);
  const max = top || 1;
  const step = (w - 2 * pad) / Math.max(times.length, 1);
  const y = (v) => h - pad - (v / max) * (h - 2 * pad);
  const marks = series.map((s) => marksOf(s, { h, pad, step, y }));
  const legend = join(series.map((s) => html`<span class="key"><svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" fill="${s.color}"/></svg>${s.name}</span>`), " ");
  const points = times.map((t, i) => ({ t, v: series.map((s) => s.values[i]) }));
  const data = JSON.stringify({ points, names: series.map((s) => s.name), fmts: series.map((s) => (s.fmt || fmt).name) });
  return html`<figure class="chart"><figcaption><strong>${title}</strong> ${legend} <span class="muted">max ${(series[0].fmt || fmt)(top)}</span></figcaption>
      <svg viewBox="0 0 ${w} ${h}" preserveAspectRatio="none" role="img" aria-label="${title}" data-chart="${data}" data-step="${step}" data-pad="${pad}" data-w="${w}">
      <line x1="0" y1="${h - pad}" x2="${w}" y2="${h - pad}" stroke="#dde2e6"/>${marks}<line class="cursor" x1="-10" x2="-10" y1="0" y2="${h}" stroke="#66707a" stroke-dasharray="2,2"/></svg>
      <div class="readout muted" aria-live="polite">Hover for values.</div></figure>`;
}

/** The cursor and readout of the chart under the mouse, anywhere within view. */
export function bindChartHover(view) {
  view.addEventListener("mousemove", (e) => {
    const svg = e.target.closest("svg[data-chart]");
    if (!svg) return;
    const d = JSON.parse(svg.dataset.chart);
    const box = svg.getBoundingClientRect();
    const x = (e.clientX - box.left) * (Number(svg.dataset.w) / box.width);
    const i = Math.min(d.points.length - 1, Math.max(0, Math.floor((x - Number(svg.dataset.pad)) / Number(svg.dataset.step))));
    const p = d.points[i];
    if (!p) return;
    const at = f1(Number(svg.dataset.pad) + (i + 0.5) * Number(svg.dataset.step));
    svg.querySelector(".cursor").setAttribute("x1", at);
    svg.querySelector(".cursor").setAttribute("x2", at);
    render(svg.closest("figure").querySelector(".readout"),
      html`${time(p.t)}: ${join(d.names.map((n, k) => html`${n} <strong>${(FORMATS[d.fmts[k]] || num)(p.v[k])}</strong>`), ", ")}`);
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
