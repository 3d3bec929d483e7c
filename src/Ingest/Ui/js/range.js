// The time range, kept in the URL: a preset (range=15m|1h|6h|24h|7d, relative to the server's clock) or
// since=ISO&until=ISO.
import { html, join } from "./html.js";
import { enc, time } from "./format.js";
import { go, link } from "./links.js";

const PRESETS = [["15m", "15 min"], ["1h", "1 h"], ["6h", "6 h"], ["24h", "24 h"], ["7d", "7 d"]];
const PRESET_HOURS = { "15m": 0.25, "1h": 1, "6h": 6, "24h": 24, "7d": 168 };

export function rangeOf(params) {
  if (params.get("since")) return { since: params.get("since"), until: params.get("until") || "", preset: null };
  const preset = PRESET_HOURS[params.get("range")] ? params.get("range") : "24h";
  return { since: `-${preset}`, until: "", preset };
}

export const rangeQuery = (r) => `since=${enc(r.since)}${r.until ? `&until=${enc(r.until)}` : ""}`;

export function rangeHours(r) {
  if (r.preset) return PRESET_HOURS[r.preset];
  const to = r.until ? new Date(r.until) : new Date();
  return Math.max(1, (to - new Date(r.since)) / 3600e3);
}

// The datetime-local value of an ISO time, in the viewer's zone.
function local(iso) {
  if (!iso || iso.startsWith("-")) return "";
  const d = new Date(iso);
  return new Date(d - d.getTimezoneOffset() * 60e3).toISOString().slice(0, 16);
}

/** The presets and a from/to form; note (text or markup) says what the figures cover. */
export function rangeControl(r, note) {
  const presets = join(PRESETS.map(([k, label]) => k === r.preset
    ? html`<strong aria-current="true">${label}</strong>`
    : html`<a href="${link({ range: k, since: null, until: null })}" data-range="${k}">${label}</a>`), " ");
  return html`<form class="range" id="range-form"><span class="muted">Range:</span> ${presets}
      <label>from <input type="datetime-local" name="since" value="${local(r.since)}"></label>
      <label>to <input type="datetime-local" name="until" value="${local(r.until)}"></label>
      <button type="submit">Apply</button>${note ? html` <span class="muted range-note">${note}</span>` : ""}</form>`;
}

export function bindRange() {
  const form = document.getElementById("range-form");
  if (!form) return;
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const since = form.elements.since.value, until = form.elements.until.value;
    if (!since) return;
    go({ range: null, since: new Date(since).toISOString(), until: until ? new Date(until).toISOString() : null });
  });
}

// A bucket length as people say it: "1-minute", "10-minute", "1-hour", "4-hour", "1-day".
export function bucketName(seconds) {
  if (!seconds) return "";
  const [n, unit] = seconds % 86400 === 0 ? [seconds / 86400, "day"] : seconds % 3600 === 0 ? [seconds / 3600, "hour"] : [seconds / 60, "minute"];
  return `${n}-${unit}`;
}

/**
 * What a page's figures cover, from the API's answer: its exact bounds, its bucket length, and whether a bound was
 * rounded to its hour (minutes are kept 48 hours; issue 25).
 */
export function windowNote(d) {
  const rounded = [d.rounded_start && "start", d.rounded_end && "end"].filter(Boolean).join(" and ");
  return html`<span id="window-note" data-bucket-seconds="${d.bucket_seconds ?? ""}">figures over ${time(d.from)} to ${time(d.to)}${d.bucket_seconds ? `, ${bucketName(d.bucket_seconds)} buckets` : ""}${
    rounded ? html` <span class="rounded">(${rounded} rounded to the hour: minutes are kept for 48 hours)</span>` : ""}</span>`;
}
