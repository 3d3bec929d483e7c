// #/search?q=VALUE : invocations carrying a value; a task id goes straight to its invocation.
import { api } from "../api.js";
import { enc } from "../format.js";
import { html, join, render } from "../html.js";
import { invocationTable } from "../invocations.js";

const TASK_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function searchPage(view, params) {
  const q = params.get("q") || "", cursor = params.get("cursor");
  document.getElementById("q").value = q;
  // A task id typed into the box goes straight to its invocation.
  if (TASK_ID.test(q.trim())) {
    const one = await api(`/api/invocations/${enc(q.trim())}`).catch(() => null);
    if (one) { location.hash = `#/invocation/${enc(q.trim())}`; return; }
  }
  const page = await api(`/api/invocations?q=${enc(q)}&limit=100${cursor ? `&cursor=${enc(cursor)}` : ""}`);
  const warn = page.unsearched && page.unsearched.length
    ? html`<div class="notice">Not searched: ${join(page.unsearched, ", ")}.</div>` : "";
  const more = page.next_cursor ? html`<p><a href="${`#/search?q=${enc(q)}&cursor=${enc(page.next_cursor)}`}">Older matches</a></p>` : "";
  render(view, html`<h1>Invocations carrying “${q}”</h1>${warn}
      <p class="muted" id="result-count">${page.items.length}${page.next_cursor ? "+" : ""} found, newest first.</p>
      ${invocationTable(page.items)}${more}`);
}
