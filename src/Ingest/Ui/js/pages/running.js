// #/running : what is received, started, retrying or waiting on an ETA now (issue 25), from the tracker, oldest first,
// with each run's task baseline and "stuck" where a started run has outlived its task's p99 several times over.
// Refreshes every few seconds while shown.
import { api } from "../api.js";
import { enc, num, secs } from "../format.js";
import { html, render } from "../html.js";
import { stateBadge } from "../invocations.js";
import { go, invLink, link, taskLink } from "../links.js";
import { table, td } from "../table.js";

const STATES = ["STARTED", "RECEIVED", "RETRY", "ETA", "PENDING"];
const FILTERS = ["name", "worker", "queue"];
const REFRESH_MS = 5000;

// A run's verdict: stuck (with how far past), waiting on its ETA, or its baseline's absence said plainly.
function verdict(i) {
  if (i.stuck) return html`<span class="badge stuck" title="${`over ${secs(i.stuck_after_s)}`}">stuck</span>`;
  if (i.waiting_eta) return html`<span class="muted">waiting on ETA ${i.run.eta || ""}</span>`;
  if (i.baseline_p99_s == null) return html`<span class="muted">no baseline</span>`;
  return html`<span class="muted">ok</span>`;
}

function rows(page) {
  if (!page.items.length) return html`<p class="muted" id="no-runs">Nothing in flight.</p>`;
  return table([["Task id"], ["Task"], ["State"], ["Age", "num"], ["Worker"], ["Queue"], ["p99 (7 d)", "num"], ["Stuck after", "num"], ["Verdict"]],
    page.items.map((i) => html`<tr data-task-id="${i.run.task_id}" class="${i.stuck ? "stuck" : ""}">${td(invLink(i.run.task_id), i.run.task_id)}
      ${td(taskLink(i.run.name), i.run.name)}${td(stateBadge(i.waiting_eta ? "ETA" : i.run.state), i.run.state)}${td(secs(i.age_s), i.age_s, "num")}
      ${td(html`<span class="mono">${i.run.worker || "-"}</span>`, i.run.worker)}${td(i.run.queue || "-", i.run.queue)}
      ${td(secs(i.baseline_p99_s), i.baseline_p99_s, "num")}${td(secs(i.stuck_after_s), i.stuck_after_s, "num")}${td(verdict(i), i.stuck ? "stuck" : "")}</tr>`), "running");
}

function summary(page, state) {
  const chips = STATES.map((s) => html`<a class="chip${s === state ? " active" : ""}" href="${link({ state: s === state ? null : s })}" data-state="${s}">${s} ${num(page.counts[s] || 0)}</a>`);
  const stuck = page.items.filter((i) => i.stuck).length;
  return html`<div class="controls">${chips}</div><p class="muted" id="result-count">${num(page.items.length)} of ${num(page.total)} shown${
    page.items.length < page.total ? " (the oldest)" : ""}; <span id="stuck-count">${num(stuck)} stuck</span> (started and past ${page.stuck_factor} × its task's p99 of the last 7 days).</p>`;
}

export async function runningPage(view, params) {
  const f = Object.fromEntries([...FILTERS, "state", "sort"].map((k) => [k, params.get(k) || ""]));
  const query = Object.entries(f).filter(([, v]) => v).map(([k, v]) => `&${k}=${enc(v)}`).join("");
  const inputs = FILTERS.map((k) => html`<label class="facet">${k === "name" ? "Task contains" : k[0].toUpperCase() + k.slice(1)} <input name="${k}" value="${f[k]}" size="16"></label>`);
  const order = f.sort === "newest"
    ? html`<a href="${link({ sort: null })}" id="sort">oldest first</a>` : html`<a href="${link({ sort: "newest" })}" id="sort">newest first</a>`;
  render(view, html`<h1>Running</h1><form class="controls" id="running-filter">${inputs} <button>Filter</button> ${order}</form>
      <div id="running-list"><p class="muted">Loading…</p></div>`);
  view.querySelector("#running-filter").addEventListener("submit", (e) => {
    e.preventDefault();
    go(Object.fromEntries(FILTERS.map((k) => [k, e.target.elements[k].value.trim()])));
  });
  const list = view.querySelector("#running-list");
  const show = async () => {
    const page = await api(`/api/in-flight?limit=500${query}`);
    render(list, html`${summary(page, f.state)}${rows(page)}`);
    list.dataset.refreshed = String(Date.now());
  };
  await show();
  const timer = setInterval(() => show().catch((e) => render(list, html`<div class="notice bad">${e.message}</div>`)), REFRESH_MS);
  return () => clearInterval(timer);
}
