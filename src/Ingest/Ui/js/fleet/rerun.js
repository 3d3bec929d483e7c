// Run again (issue 27): send the task once more with the same name, args, kwargs and queue through send-task, only
// when the server read the stored args and kwargs whole (rerun.possible); otherwise the button says why not.
import { enc } from "../format.js";
import { html, render } from "../html.js";
import { invLink } from "../links.js";
import { send } from "./access.js";
import { confirmAction } from "./dialog.js";

const json = (v) => JSON.stringify(v);

/** The Run again button (the caller has checked the control role), disabled with the reason when it cannot. */
export function rerunButton(run) {
  const holder = document.createElement("span");
  const r = run.rerun;
  if (!r?.possible) {
    const why = r?.reason || "this server cannot say whether its args are whole";
    render(holder, html`<button type="button" id="rerun" disabled title="${`Not possible: ${why}`}">Run again</button> <span class="muted" id="rerun-reason">Run again is not possible: ${why}.</span>`);
    return holder;
  }
  render(holder, html`<button type="button" id="rerun">Run again…</button>`);
  holder.querySelector("button").addEventListener("click", () => confirmAction({
    question: html`Send <strong class="target">${run.name}</strong> again${r.queue ? html` to queue <strong class="target">${r.queue}</strong>` : " by its own routing"},
        with args <code>${json(r.args)}</code> and kwargs <code>${json(r.kwargs)}</code>? It runs as a new task with a new id.`,
    yes: "Send again",
    perform: async () => {
      const sent = await send(`/flower/api/task/send-task/${enc(run.name)}`, { json: { args: r.args, kwargs: r.kwargs, ...(r.queue ? { queue: r.queue } : {}) } });
      const id = sent["task-id"];
      return html`<p id="rerun-sent">Sent${id ? html` as ${invLink(id)}` : ""}.${sent.state ? ` State: ${sent.state}.` : ""}</p>`;
    },
  }));
  return holder;
}
