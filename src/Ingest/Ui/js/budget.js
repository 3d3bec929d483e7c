// Objectives (--objectives FILE): a task's error budget left and burn rate, from /api/objectives.
import { api } from "./api.js";
import { pct } from "./format.js";
import { html } from "./html.js";

const times = (x) => x == null ? "-" : `${x.toFixed(x < 10 ? 1 : 0)}x`;

/** Each task with an objective, by name; empty without a file (or on a server without the endpoint). */
export async function budgets(query) {
  const data = await api(`/api/objectives?${query}`).catch(() => ({ tasks: [] }));
  return new Map(data.tasks.map((t) => [t.name, t]));
}

/** The tasks burning their budget (burn rate over 1), fastest first, at most n. */
export const fastest = (byName, n = 5) => [...byName.values()].filter((t) => t.burning).slice(0, n);

/** The Tasks page's cell: budget left, and a badge with the burn rate where it burns faster than the window allows. */
export function budgetCell(t) {
  if (!t) return html`<span class="muted">-</span>`;
  const badge = t.burning ? html` <span class="badge burning" title="${`objective ${t.objective}: the range spends the budget ${times(t.burn_rate)} as fast as its window allows`}">burning ${times(t.burn_rate)}</span>` : "";
  return html`<span title="${`objective ${t.objective}`}">${pct(t.budget_left)} left</span>${badge}`;
}

/** The task page's line: each SLI's budget left over the window and burn rate over the range. */
export function budgetNotice(t) {
  if (!t) return "";
  const slis = t.slis.map((s) => html`<li>${s.sli} (target ${pct(s.target)}): ${pct(s.budget_left)} of the budget left over the window, burn rate ${times(s.burn_rate)} over the range (${s.range_bad} bad of ${s.range_good + s.range_bad})</li>`);
  return html`<div class="notice ${t.burning ? "bad" : ""}" id="budget"><strong>Objective ${t.objective}.</strong>${t.burning ? " Burning its error budget faster than its window allows." : ""}<ul>${slis}</ul></div>`;
}
