// SLA warnings and breaches pop up as short notes for the assignee, the group and supervisors.
// The text is set with textContent: whatever a ticket's subject holds stays text.

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

export function attachNotifications(socket) {
  const note = (kind) => (payload) => {
    if (!payload || !payload.text) return;
    showToast(kind, payload.text, `/tickets/${Number(payload.ticket_id)}`);
  };
  socket.on("sla.warning", note("warning"));
  socket.on("sla.breached", note("breached"));
}
