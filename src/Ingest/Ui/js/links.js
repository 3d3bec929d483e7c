// The page being shown (its path and parameters, from the hash) and links that keep its range and filters.
import { html } from "./html.js";
import { enc } from "./format.js";

/** The route the router last opened. */
export const current = { path: "/", params: new URLSearchParams() };

export function setCurrent(path, params) {
  current.path = path;
  current.params = params;
}

// The hash for this page with some parameters changed (null removes one); a new range or filter starts at page one.
export function link(changes, path = current.path) {
  const p = new URLSearchParams(current.params);
  if (!("cursor" in changes)) p.delete("cursor");
  for (const [k, v] of Object.entries(changes)) {
    if (v == null || v === "") p.delete(k); else p.set(k, v);
  }
  const q = p.toString();
  return `#${path}${q ? `?${q}` : ""}`;
}

export const go = (changes) => { location.hash = link(changes); };

function rangeParams() {
  const p = new URLSearchParams();
  for (const k of ["range", "since", "until"]) if (current.params.get(k)) p.set(k, current.params.get(k));
  return p;
}

export function keepRange() {
  const q = rangeParams().toString();
  return q ? `?${q}` : "";
}

/** The runs page over this page's range, with these filters. */
export function runsHref(filters) {
  const p = rangeParams();
  for (const [k, v] of Object.entries(filters)) if (v) p.set(k, v);
  return `#/runs?${p}`;
}

export const taskLink = (n) => n ? html`<a href="${`#/task/${enc(n)}${keepRange()}`}">${n}</a>` : html`<span class="muted">(unnamed)</span>`;
export const invLink = (id) => html`<a class="mono" href="${`#/invocation/${enc(id)}`}">${id}</a>`;
