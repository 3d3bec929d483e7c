// Filters (select boxes kept in the URL) and the pager of a list of runs.
import { html } from "./html.js";
import { current, go, link } from "./links.js";

/** A select box for one URL parameter, with the chosen value kept even when the list lacks it. */
export function select(name, label, values, chosen, all = "all") {
  const options = [html`<option value="">${all}</option>`,
    ...values.map((v) => html`<option value="${v}"${v === chosen ? html` selected` : ""}>${v}</option>`)];
  if (chosen && !values.includes(chosen)) options.push(html`<option value="${chosen}" selected>${chosen}</option>`);
  return html`<label class="facet">${label} <select data-facet="${name}">${options}</select></label>`;
}

export function bindFacets(view) {
  view.querySelectorAll("select[data-facet]").forEach((s) => s.addEventListener("change", () => go({ [s.dataset.facet]: s.value })));
}

export const pageSize = (params) => Math.min(1000, Math.max(1, Number(params.get("limit")) || 50));

/** Links to the newest page and the next older one. */
export function pager(page) {
  const first = current.params.get("cursor") ? html`<a href="${link({ cursor: null })}">Newest</a>` : "";
  const next = page.next_cursor ? html`<a href="${link({ cursor: page.next_cursor })}" rel="next" id="older">Older runs</a>` : "";
  return first || next ? html`<p class="pager">${first} ${next}</p>` : "";
}
