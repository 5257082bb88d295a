// A ringing call pops up on the consoles of the available agents of its group: the caller, their
// open tickets, and "I took it". When someone answers, or the caller hangs up, it goes away for
// everybody else; the one who took it gets a link to log the call. Text is set with textContent:
// whatever a caller's name or a ticket's subject holds stays text.
const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

function box() {
  let holder = document.getElementById("call-popups");
  if (!holder) {
    holder = document.createElement("div");
    holder.id = "call-popups";
    holder.className = "call-popups";
    holder.setAttribute("role", "alert");
    holder.setAttribute("aria-live", "assertive");
    document.body.appendChild(holder);
  }
  return holder;
}

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function link(href, text) {
  const a = el("a", text);
  a.href = href;
  return a;
}

function popupFor(callId) {
  return document.querySelector(`.call-popup[data-call-id="${Number(callId)}"]`);
}

async function take(popup, callId) {
  const button = popup.querySelector("button.take");
  button.disabled = true;
  const response = await fetch(`/calls/${Number(callId)}/answer`, {
    method: "POST", credentials: "same-origin",
    headers: { "X-CSRFToken": csrf(), "X-Requested-With": "fetch" },
  });
  const answer = await response.json().catch(() => ({}));
  if (response.ok) showTaken(popup, answer.url);
  else { popup.querySelector(".call-note").textContent = answer.error || "Could not take the call"; }
}

function showTaken(popup, url) {
  popup.classList.add("taken");
  popup.querySelector(".call-actions").replaceChildren(link(url || "/calls", "On the call: log it"));
}

function show(call) {
  if (!call || popupFor(call.call_id)) return;
  const popup = el("section", null, "call-popup");
  popup.dataset.callId = String(Number(call.call_id));
  popup.append(el("h2", "Incoming call"));
  const who = el("p", null, "caller");
  if (call.customer) who.append(link(`/customers/${Number(call.customer.id)}`, call.customer.name), " ");
  who.append(el("span", call.from || "withheld number", "identity"));
  popup.append(who);
  if (call.queue || call.group) popup.append(el("p", [call.queue, call.group].filter(Boolean).join(" · "), "meta"));
  const list = el("ul", null, "call-tickets");
  for (const t of call.tickets || []) {
    const item = el("li");
    item.append(link(`/tickets/${Number(t.id)}`, `#${t.number} ${t.subject}`), " ", el("span", t.status, `status status-${t.status}`));
    list.append(item);
  }
  if (!list.children.length) list.append(el("li", call.customer ? "No open tickets" : "New caller", "empty"));
  popup.append(list);
  const actions = el("div", null, "call-actions");
  const button = el("button", "I took it", "take");
  button.type = "button";
  button.addEventListener("click", () => take(popup, call.call_id));
  const dismiss = el("button", "Dismiss", "link");
  dismiss.type = "button";
  dismiss.addEventListener("click", () => popup.remove());
  actions.append(button, dismiss);
  popup.append(actions, el("p", null, "call-note"));
  box().prepend(popup);
}

function settle(payload) {
  const popup = payload && popupFor(payload.call_id);
  if (!popup || popup.classList.contains("taken")) return;
  if (payload.agent_id && payload.agent_id === Number(document.body.dataset.userId)) showTaken(popup, `/calls/${Number(payload.call_id)}`);
  else popup.remove();
}

export function attachCalls(socket) {
  socket.on("call.ringing", (call) => {
    show(call);
    window.helpdeskCallsSeen = (window.helpdeskCallsSeen || 0) + 1; // for the browser tests and bench/
  });
  socket.on("call.answered", settle);
  socket.on("call.ended", settle);
}
