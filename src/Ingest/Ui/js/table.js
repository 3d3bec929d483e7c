// Tables: every column sorts (numbers by value, text alphabetically), on the rows shown.
import { html } from "./html.js";

/** head: [label, "num"?] per column; rows: html results of <tr>. */
export function table(head, rows, cls = "") {
  const th = head.map(([label, type], i) => html`<th class="${type === "num" ? "num" : ""}" data-col="${i}" data-type="${type || "text"}" tabindex="0" role="columnheader" aria-sort="none">${label}</th>`);
  return html`<div class="table-wrap"><table class="sortable ${cls}"><thead><tr>${th}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** A cell showing content (text or markup) that sorts by value. */
export const td = (content, value, type) => html`<td${type === "num" ? html` class="num"` : ""} data-v="${value ?? ""}">${content}</td>`;

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

/** Sorting by a click on, or Enter or Space in, any sortable table's header within view. */
export function bindSorting(view) {
  view.addEventListener("click", (e) => { const th = e.target.closest("table.sortable th"); if (th) sortBy(th); });
  view.addEventListener("keydown", (e) => { const th = e.target.closest("table.sortable th"); if (th && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); sortBy(th); } });
}
