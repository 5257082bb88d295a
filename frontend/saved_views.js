// The saved views' counts stay current: any ticket change that reaches this agent re-fetches the
// navigation (server-rendered, so view names stay escaped), at most once per burst of events.
import { debounce, fetchFragment } from "./live.js";

export function attachSavedViews(socket) {
  if (!document.getElementById("saved-views")) return;
  const refresh = debounce(async () => {
    const nav = document.getElementById("saved-views");
    const url = new URL("/views/nav", window.location.origin);
    if (nav.dataset.current) url.searchParams.set("current", nav.dataset.current);
    const fragment = await fetchFragment(url);
    const fresh = fragment && fragment.getElementById("saved-views");
    if (fresh) nav.replaceWith(fresh);
  }, 400);
  for (const event of ["ticket.created", "ticket.updated", "sla.warning", "sla.breached"]) socket.on(event, () => refresh());
  socket.on("connect", () => refresh());
}
