// Figures and times as the pages show them. Plain text, except time(), which is markup.
import { html } from "./html.js";

export const enc = encodeURIComponent;

// A time in the viewer's zone, with the UTC value on hover.
export function time(iso) {
  if (!iso) return html`<span class="muted">-</span>`;
  const d = new Date(iso);
  return html`<time datetime="${iso}" title="${d.toISOString()} (UTC)">${d.toLocaleString()}</time>`;
}

// The formatters keep these names: a chart records a series' formatter by name for its hover readout.
// secs: under 0.9995 s in ms; from there in seconds, so 0.9996 s reads "1.00 s", never "1000 ms".
export const secs = (s) => s == null ? "-" : s < 0.9995 ? `${(s * 1000).toFixed(s < 0.01 ? 2 : 0)} ms` : s < 120 ? `${s.toFixed(s < 9.995 ? 2 : 1)} s` : `${(s / 60).toFixed(1)} min`;
export const pct = (r) => r == null ? "-" : `${(r * 100).toFixed(r < 0.1 ? 2 : 1)}%`;
export const num = (n) => n == null ? "-" : Number(n).toLocaleString();
export const rate = (n) => n == null ? "-" : n >= 100 ? Math.round(n).toLocaleString() : n.toFixed(n < 10 ? 2 : 1);
export const bytes = (b) => b == null ? "-" : b > 1 << 30 ? `${(b / (1 << 30)).toFixed(2)} GiB` : b > 1 << 20 ? `${(b / (1 << 20)).toFixed(1)} MiB` : `${(b / 1024).toFixed(0)} KiB`;
export const FORMATS = { num, secs, pct, rate };

/** The first n characters of s, with an ellipsis when cut. */
export const clip = (s, n = 120) => !s ? "" : s.length > n ? `${s.slice(0, n)}…` : s;
