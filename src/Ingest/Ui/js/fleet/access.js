// Acting on the fleet (issue 27): who may (/api/me's can_control), and the POST every control sends, carrying the
// session's anti-forgery token in X-Ingest-Antiforgery (Basic and bearer clients have none and need none).
import { api } from "../api.js";

let me = null;

/** /api/me, asked once per page load: a new sign-in loads the page again. */
function access() {
  me ??= api("/api/me").catch(() => ({}));
  return me;
}

/** True only when the server says this user holds the control role: nobody else is shown a control. */
export const canControl = async () => (await access()).can_control === true;

/**
 * POSTs a control command (form fields, or a JSON body) and resolves with Flower's answer ({message, replies,
 * missing}, or send-task's {"task-id"}). A refusal throws with the server's words: Flower answers some in plain text.
 */
export async function send(path, { form, json } = {}) {
  const { antiforgery_token: token } = await access();
  const headers = { Accept: "application/json" };
  if (token) headers["X-Ingest-Antiforgery"] = token;
  let body;
  if (json) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form) {
    body = new URLSearchParams(form);
  }
  const r = await fetch(path, { method: "POST", headers, body, credentials: "same-origin" });
  const text = await r.text();
  let data;
  try { data = JSON.parse(text); } catch { data = { message: text }; }
  if (!r.ok) throw new Error(data?.error || data?.message || `${r.status} ${r.statusText}`);
  return data ?? {};
}

/** False when no broker is configured to send commands through: the panels then say so instead of failing. */
export const controlAvailable = async () => (await access()).control_available !== false;

/** The note a live panel shows instead of asking the workers when there is no broker. */
export const NO_BROKER = "Fleet controls need a broker to send commands through: start Ingest with --broker URL.";

/** The live view of every worker (Flower's /api/workers?refresh=1: stats, active_queues, registered, conf). */
export const liveWorkers = () => api("/flower/api/workers?refresh=1");
