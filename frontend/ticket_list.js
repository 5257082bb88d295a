// A ticket list that keeps itself current: the first page re-renders its rows on every change
// that reaches this agent's rooms; a deeper page says that the list changed instead of jumping.
import { debounce, fetchFragment, localiseTimes } from "./live.js";
import { t } from "./i18n.js";

export function attachTicketList(socket) {
  const table = document.getElementById("ticket-list");
  if (!table) return;
  const notice = document.getElementById("list-notice");
  const baseTitle = document.title;
  let unseen = 0;

  const refresh = debounce(async (newIds) => {
    const url = new URL(window.location.href);
    url.searchParams.set("fragment", "rows");
    const fragment = await fetchFragment(url);
    const rows = fragment && fragment.getElementById("ticket-rows");
    if (!rows) return;
    localiseTimes(rows);
    for (const id of newIds) rows.querySelector(`#ticket-row-${id}`)?.classList.add("fresh");
    document.getElementById("ticket-rows").replaceWith(rows);
  });

  const pending = new Set();
  const onChange = (event, payload) => {
    if (event === "ticket.created") {
      pending.add(payload.ticket_id);
      if (document.hidden) document.title = `(${++unseen}) ${baseTitle}`;
    }
    if (table.dataset.live === "first-page") {
      const ids = [...pending];
      pending.clear();
      refresh(ids);
    } else if (notice) {
      notice.hidden = false;
      notice.textContent = t("This list has changed. Go to the first page to see the latest.");
    }
  };
  socket.on("ticket.created", (p) => onChange("ticket.created", p));
  socket.on("ticket.updated", (p) => onChange("ticket.updated", p));
  socket.on("sla.warning", (p) => onChange("sla.warning", p)); // the SLA column changes state
  socket.on("sla.breached", (p) => onChange("sla.breached", p));
  // Events between rendering and connecting, or during a disconnect, were missed: re-render once.
  socket.on("connect", () => refresh([]));
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) { unseen = 0; document.title = baseTitle; }
  });
}
