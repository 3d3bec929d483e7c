// Pools and consumers on the Workers page (issue 27), from live inspections (stats, active_queues) rather than
// heartbeats: grow, shrink, autoscale, restart the pool; add or cancel a queue's consumer. Each action names its
// target in words before it is sent and shows the replies after.
import { enc, num } from "../format.js";
import { html, join, render } from "../html.js";
import { canControl, controlAvailable, liveWorkers, NO_BROKER, send } from "./access.js";
import { confirmAction, outcome } from "./dialog.js";

const who = (worker) => html`<span class="mono target">${worker}</span>`;

// Each action: its route, its fields from the card's form, and the question that names what it will do.
const ACTIONS = {
  grow: { path: "pool/grow", fields: (f) => ({ n: f.get("n") }), ask: (w, f, p) => html`Grow the pool of ${who(w)} by <strong>${f.get("n")}</strong> (it has ${num(p)} processes)?` },
  shrink: { path: "pool/shrink", fields: (f) => ({ n: f.get("n") }), ask: (w, f, p) => html`Shrink the pool of ${who(w)} by <strong>${f.get("n")}</strong> (it has ${num(p)} processes)?` },
  autoscale: { path: "pool/autoscale", fields: (f) => ({ min: f.get("min"), max: f.get("max") }), ask: (w, f) => html`Autoscale the pool of ${who(w)} between <strong>${f.get("min")}</strong> and <strong>${f.get("max")}</strong> processes?` },
  restart: { path: "pool/restart", fields: () => ({}), ask: (w) => html`Restart the pool of ${who(w)}? Its processes are replaced (the worker needs worker_pool_restarts).` },
  add: { path: "queue/add-consumer", fields: (f) => ({ queue: f.get("queue") }), ask: (w, f) => html`Make ${who(w)} consume from queue <strong class="target">${f.get("queue")}</strong>?` },
};

function card(worker, w) {
  const pool = w?.stats?.pool || {}, auto = w?.stats?.autoscaler;
  const processes = (pool.processes || []).length;
  const queues = (w?.active_queues || []).map((q) => q.name);
  return html`<div class="card worker-live" data-worker="${worker}"><h3 class="mono">${worker}</h3>
      <p>Pool: <strong class="processes">${num(processes)}</strong> processes${pool["max-concurrency"] != null ? html`, max concurrency ${num(pool["max-concurrency"])}` : ""}${auto ? html`, autoscaling ${num(auto.min)}–${num(auto.max)}` : ""}.</p>
      <p>Consuming from: ${queues.length ? join(queues.map((q) => html`<span class="chip queue">${q} <button type="button" class="cancel-consumer" data-queue="${q}" aria-label="${`stop consuming from ${q}`}">×</button></span>`), " ") : html`<span class="muted">no queue</span>`}</p>
      <form class="controls pool-form"><label>n <input name="n" type="number" min="1" value="1" size="3"></label>
        <button type="button" data-act="grow">Grow…</button> <button type="button" data-act="shrink">Shrink…</button>
        <label>min <input name="min" type="number" min="0" value="${auto?.min ?? ""}" size="3"></label> <label>max <input name="max" type="number" min="1" value="${auto?.max ?? ""}" size="3"></label>
        <button type="button" data-act="autoscale">Autoscale…</button> <button type="button" data-act="restart">Restart pool…</button>
        <label>queue <input name="queue" size="10"></label> <button type="button" data-act="add">Add consumer…</button></form></div>`;
}

function act(section, worker, question, path, fields) {
  confirmAction({
    question,
    yes: "Send",
    perform: async () => {
      try { return outcome(who(worker), await send(`/flower/api/worker/${path}/${enc(worker)}`, { form: { workername: worker, ...fields } })); } catch (e) { return outcome(who(worker), null, e); }
    },
    closed: () => draw(section),
  });
}

function bind(section, el, worker, w) {
  const form = el.querySelector("form.pool-form");
  const processes = (w?.stats?.pool?.processes || []).length;
  el.querySelectorAll("button[data-act]").forEach((b) => b.addEventListener("click", () => {
    const a = ACTIONS[b.dataset.act], f = new FormData(form);
    act(section, worker, a.ask(worker, f, processes), a.path, a.fields(f));
  }));
  el.querySelectorAll("button.cancel-consumer").forEach((b) => b.addEventListener("click", () =>
    act(section, worker, html`Stop ${who(worker)} consuming from queue <strong class="target">${b.dataset.queue}</strong>?`, "queue/cancel-consumer", { queue: b.dataset.queue })));
}

async function draw(section) {
  if (!(await controlAvailable())) {
    render(section, html`<h2>Pools and consumers (live)</h2><p class="muted">${NO_BROKER}</p>`);
    return;
  }
  render(section, html`<h2>Pools and consumers (live)</h2><p class="muted">Asking the workers…</p>`);
  let workers;
  try { workers = Object.entries(await liveWorkers()); } catch (e) {
    render(section, html`<h2>Pools and consumers (live)</h2><p class="notice bad">The workers could not be asked: ${e.message}</p>`);
    return;
  }
  render(section, html`<h2>Pools and consumers (live)</h2><p class="muted">As the workers answered just now (stats, active_queues).</p>
      ${workers.length ? "" : html`<p class="muted">No worker answered.</p>`}<div class="grid live-workers"></div>`);
  const grid = section.querySelector(".live-workers");
  for (const [worker, w] of workers) {
    const el = document.createElement("div");
    render(el, card(worker, w));
    grid.append(el);
    bind(section, el, worker, w);
  }
}

/** The Workers page's live pool and consumer controls; nothing for users without the control role. */
export async function poolControls(view) {
  if (!(await canControl())) return;
  const section = document.createElement("section");
  section.id = "pool-controls";
  view.append(section);
  draw(section);
}
