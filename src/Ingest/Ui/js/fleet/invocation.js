// The actions of an invocation's page (issue 27): revoke while it runs, and run it again; shown only to the control role.
import { html, render } from "../html.js";
import { canControl } from "./access.js";
import { revokeButton } from "./revoke.js";
import { rerunButton } from "./rerun.js";

/** Puts the actions under the page's heading; `reopen` shows the page again (the new state) after an action. */
export async function invocationActions(view, run, reopen) {
  if (!(await canControl())) return;
  const bar = document.createElement("div");
  bar.className = "controls fleet-actions";
  render(bar, html`<span class="muted">Act:</span> `);
  const revoke = await revokeButton(run, reopen);
  if (revoke) bar.append(revoke, " ");
  bar.append(rerunButton(run));
  view.querySelector("h1").after(bar);
}
