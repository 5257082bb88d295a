// SLA warnings and breaches, mentions, assignments and customers' replies pop up as short notes,
// and the navigation's unread count follows. Text is set with textContent: whatever a ticket's
// subject holds stays text.
import { debounce } from "./live.js";

function container() {
  let box = document.getElementById("toasts");
  if (!box) {
    box = document.createElement("div");
    box.id = "toasts";
    box.className = "toasts";
    box.setAttribute("role", "status");
    box.setAttribute("aria-live", "polite");
    document.body.appendChild(box);
  }
  return box;
}

export function showToast(kind, text, href) {
  const toast = document.createElement("a");
  toast.className = `toast toast-${kind}`;
  toast.textContent = text;
  if (href) toast.href = href;
  container().prepend(toast);
  setTimeout(() => toast.remove(), 20000);
}

const refreshUnread = debounce(async () => {
  const badge = document.getElementById("unread-count");
  if (!badge) return;
  const response = await fetch("/notifications/unread", { credentials: "same-origin" });
  if (!response.ok) return;
  const { unread } = await response.json();
  badge.textContent = String(unread);
  badge.setAttribute("aria-label", `${unread} unread`);
  badge.hidden = unread === 0;
}, 200);

export function attachNotifications(socket) {
  const note = (kind) => (payload) => {
    if (!payload || !payload.text) return;
    showToast(kind, payload.text, `/tickets/${Number(payload.ticket_id)}`);
  };
  const sla = (kind) => (payload) => {
    note(kind)(payload);
    if (payload && payload.assignee_id === Number(document.body.dataset.userId)) refreshUnread();
  };
  socket.on("sla.warning", sla("warning"));
  socket.on("sla.breached", sla("breached"));
  socket.on("notification.created", (payload) => { note("notification")(payload); refreshUnread(); });
  socket.on("connect", () => refreshUnread()); // whatever arrived while disconnected
}
