// The open ticket page: new messages appear, delivery states change, other agents' edits and
// presence show, all without reloading; after a reconnect the page catches up on what it missed.
import { debounce, fetchFragment, localiseTimes } from "./live.js";
import { t } from "./i18n.js";

export function attachTicketPage(socket) {
  const root = document.getElementById("ticket");
  if (!root) return;
  const ticketId = Number(root.dataset.ticketId);
  const me = Number(document.body.dataset.userId);
  const thread = document.getElementById("thread");
  const presenceLine = document.getElementById("presence");
  const composer = document.getElementById("reply-body");

  const lastMessageId = () => {
    const ids = [...thread.querySelectorAll("[data-message-id]")].map((li) => Number(li.dataset.messageId));
    return ids.length ? Math.max(...ids) : 0;
  };

  const appendNew = debounce(async () => {
    const fragment = await fetchFragment(`/tickets/${ticketId}/messages?after=${lastMessageId()}`);
    if (!fragment) return;
    for (const li of [...fragment.querySelectorAll("li[data-message-id]")]) {
      if (!document.getElementById(li.id)) {
        localiseTimes(li);
        li.classList.add("fresh");
        thread.appendChild(li);
      }
    }
  }, 100);

  const replaceMessage = async (messageId) => {
    const fragment = await fetchFragment(`/tickets/${ticketId}/messages/${messageId}`);
    const li = fragment && fragment.querySelector("li[data-message-id]");
    const current = document.getElementById(`message-${messageId}`);
    if (li && current) { localiseTimes(li); current.replaceWith(li); }
    else if (li) appendNew();
  };

  const refreshProperties = debounce(async () => {
    const panel = document.getElementById("properties");
    if (panel.contains(document.activeElement) && panel.dataset.dirty === "1") return; // don't wipe an edit in progress
    const fragment = await fetchFragment(`/tickets/${ticketId}/properties`);
    if (fragment) { panel.replaceChildren(fragment); localiseTimes(panel); }
  });

  const showPresence = (agents) => {
    const others = (agents || []).filter((a) => a.user_id !== me);
    presenceLine.textContent = others.map((a) => t(a.state === "replying" ? "%(name)s is replying" : "%(name)s is viewing", a)).join(" · ");
    presenceLine.hidden = others.length === 0;
  };

  const join = () => socket.emit("join_ticket", { ticket_id: ticketId }, (answer) => {
    if (answer && answer.ok) showPresence(answer.presence);
  });

  socket.on("connect", () => {
    join();
    // Catch up on what happened while disconnected (or between rendering and connecting):
    // new messages, deliveries that finished, property changes.
    appendNew();
    for (const li of thread.querySelectorAll('[data-delivery-state="queued"], [data-delivery-state="sending"]')) {
      replaceMessage(li.closest("li[data-message-id]").dataset.messageId);
    }
    refreshProperties();
  });
  const mine = (payload) => payload && payload.ticket_id === ticketId;
  socket.on("message.created", (p) => { if (mine(p)) appendNew(); });
  socket.on("message.updated", (p) => { if (mine(p)) replaceMessage(p.message_id); });
  socket.on("ticket.updated", (p) => { if (mine(p)) refreshProperties(); });
  socket.on("sla.warning", (p) => { if (mine(p)) refreshProperties(); });
  socket.on("sla.breached", (p) => { if (mine(p)) refreshProperties(); });
  socket.on("presence.changed", (p) => { if (mine(p)) showPresence(p.agents); });

  document.getElementById("properties").addEventListener("change", (e) => {
    e.currentTarget.dataset.dirty = "1";
  });

  if (composer) {
    let state = "viewing";
    const announce = (next) => {
      if (next === state) return;
      state = next;
      socket.emit("presence", { ticket_id: ticketId, state });
    };
    const settle = debounce(() => announce(composer.value.trim() ? "replying" : "viewing"), 4000);
    composer.addEventListener("input", () => { announce("replying"); settle(); });
    composer.addEventListener("blur", () => { if (!composer.value.trim()) announce("viewing"); });
  }
}
