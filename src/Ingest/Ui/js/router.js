// Hash routes (every page keeps its range and filters in the URL):
//   #/  tasks   #/running   #/task/NAME   #/runs   #/search?q=VALUE   #/invocation/ID   #/failures   #/workers   #/queues   #/ingest   #/audit
import { html, render } from "./html.js";
import { auditPage } from "./pages/audit.js";
import { setCurrent } from "./links.js";
import { failuresPage } from "./pages/failures.js";
import { ingestPage } from "./pages/ingest.js";
import { invocationPage } from "./pages/invocation.js";
import { queuesPage } from "./pages/queues.js";
import { runningPage } from "./pages/running.js";
import { runsPage } from "./pages/runs.js";
import { searchPage } from "./pages/search.js";
import { taskPage } from "./pages/task.js";
import { tasksPage } from "./pages/tasks.js";
import { workersPage } from "./pages/workers.js";

// Each page by its path's first segment: (view, params, rest of the path) => a promise, or what ends the page
// (the ingest page's live stream) when another opens.
const PAGES = {
  "": (view, params) => tasksPage(view, params),
  task: (view, params, parts) => taskPage(view, params, parts.join("/")),
  running: (view, params) => runningPage(view, params),
  runs: (view, params) => runsPage(view, params),
  search: (view, params) => searchPage(view, params),
  invocation: (view, params, parts) => invocationPage(view, params, parts[0]),
  failures: (view, params) => failuresPage(view, params),
  workers: (view, params) => workersPage(view, params),
  queues: (view, params) => queuesPage(view, params),
  ingest: (view) => ingestPage(view),
  audit: (view, params) => auditPage(view, params),
};

// The nav entry lit for each page. A task's page is under Tasks; runs, an invocation and a search have no entry of
// their own and light none (they are reached from Failures and the search box too: Tasks lit there misled, issue 25).
const NAV = { task: "tasks", runs: "", invocation: "", search: "" };

let leave = null; // ends the page shown, if it holds something open
let shown = 0; // the latest route asked for: an earlier one still loading must not paint over it
let routed = 0; // routes that have ended

/**
 * Shows the page the hash names in view, then marks view with the route it rendered. Each route renders into its
 * own element: a slow page left for another (a link clicked while Tasks loads) finishes into an element no longer
 * shown, so it cannot paint over the page asked for after it.
 */
export async function route(view) {
  if (leave) { leave(); leave = null; }
  const mine = ++shown;
  const slot = document.createElement("div");
  slot.className = "page";
  view.replaceChildren(slot);
  const hash = location.hash.slice(1) || "/";
  const [path, query] = hash.split("?");
  const params = new URLSearchParams(query || "");
  setCurrent(path || "/", params);
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const nav = NAV[parts[0]] ?? (parts[0] || "tasks");
  document.querySelectorAll("nav a").forEach((a) => a.classList.toggle("active", a.dataset.nav === nav));
  render(slot, html`<p class="muted">Loading…</p>`);
  try {
    const page = Object.hasOwn(PAGES, parts[0] ?? "") ? PAGES[parts[0] ?? ""] : null;
    if (page) {
      const ended = await page(slot, params, parts.slice(1));
      if (typeof ended === "function") {
        if (mine === shown) leave = ended;
        else ended();
      }
    } else {
      render(slot, html`<p>Not found. <a href="#/">Tasks</a></p>`);
    }
  } catch (e) {
    render(slot, html`<div class="notice bad">${e.message}</div>`);
  }
  if (mine === shown) view.dataset.loaded = hash;
  view.dataset.routed = String(++routed); // every route ended, shown or not: what a test of the race waits on
}
