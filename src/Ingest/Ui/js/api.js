// The JSON API, as the pages call it: a failed request throws with the server's reason.
import { enc } from "./format.js";

export async function api(path) {
  const r = await fetch(path, { headers: { Accept: "application/json" } });
  if (r.status === 401) {
    // The session ended: sign in again and come back to this page.
    location.assign(`/signin?return=${enc(location.pathname + location.hash)}`);
    throw new Error("signing in again");
  }
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error || `${r.status} ${r.statusText}`);
  return body;
}

/** What a badge says for a /healthz status: idle carries its cause, so an empty console is not read as "no tasks ran". */
export function healthLabel(status) {
  return status === "idle" ? "idle: no source" : status;
}

/** The header's health badge. */
export function setHealth(status) {
  const el = document.getElementById("health");
  el.textContent = healthLabel(status);
  el.className = `badge ${status}`;
}
