// Ingest web UI: plain JavaScript modules, no build step. Boots the page: the header's search box, sign-out
// button and health badge, the view's table sorting and chart hover, and the router.
import { api, setHealth } from "./api.js";
import { bindChartHover } from "./charts.js";
import { enc } from "./format.js";
import { route } from "./router.js";
import { bindSorting } from "./table.js";

const view = document.getElementById("view");
bindSorting(view);
bindChartHover(view);

document.getElementById("search").addEventListener("submit", (e) => {
  e.preventDefault();
  const q = document.getElementById("q").value.trim();
  if (q) location.hash = `#/search?q=${enc(q)}`;
});
window.addEventListener("hashchange", () => route(view));
// The sign-out button starts hidden and shows only once /api/me says sign-in is on (under --no-auth it flashed, issue 25).
api("/api/me").then((me) => {
  const out = document.querySelector("form.signout");
  if (!me.auth_enabled) {
    out.remove();
    return;
  }
  if (me.user) out.querySelector("button").title = `Signed in as ${me.user}`;
  out.hidden = false;
}).catch(() => {});
// /healthz answers 503 with its report when failing: read the body either way.
fetch("/healthz").then((r) => r.json()).then((h) => setHealth(h.status)).catch(() => setHealth("unreachable"));
route(view);
