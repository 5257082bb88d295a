// Availability in the header (online / away / offline), away after idle time, offers of live
// conversations (accept or decline before the timeout), and the supervisors' live agents board.
import { t } from "./i18n.js";

const ACTIVITY = ["mousemove", "keydown", "pointerdown", "scroll", "focus"];

function attachControl(socket) {
  const select = document.getElementById("availability");
  if (!select) return;
  const awayAfter = Number(select.dataset.awayAfter || 300) * 1000;
  let idleTimer = null;
  let awayByIdle = false;
  const show = (status) => { select.value = status; select.dataset.status = status; };
  show(select.value);
  select.addEventListener("change", () => {
    awayByIdle = false;
    socket.emit("availability", { status: select.value }, (answer) => {
      if (answer && answer.ok) show(answer.status);
    });
  });
  const idle = () => {
    if (select.value !== "online") return;
    socket.emit("availability", { status: "away", idle: true }, (answer) => {
      if (answer && answer.ok) { awayByIdle = true; show("away"); }
    });
  };
  const active = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(idle, awayAfter);
    if (awayByIdle) {
      awayByIdle = false;
      socket.emit("availability", { status: "online" }, (answer) => { if (answer && answer.ok) show("online"); });
    }
  };
  ACTIVITY.forEach((name) => window.addEventListener(name, active, { passive: true }));
  active();
  socket.on("hello", (hello) => { if (hello.availability) show(hello.availability); (hello.offers || []).forEach(showOffer(socket)); });
  socket.on("agent.availability", (event) => {
    if (String(event.user_id) === document.body.dataset.userId) show(event.status);
  });
}

function showOffer(socket) {
  return (offer) => {
    const box = document.getElementById("offers");
    if (!box || document.getElementById(`offer-${offer.offer_id}`)) return;
    const card = document.createElement("div");
    card.className = "offer";
    card.id = `offer-${offer.offer_id}`;
    card.setAttribute("role", "alertdialog");
    const title = document.createElement("p");
    const words = box.dataset; // the console's language, from the page
    title.textContent = `${offer.kind === "chat" ? words.newChat : words.newConversation} #${offer.ticket_id}: ${offer.subject || ""}`;
    const left = document.createElement("small");
    const accept = document.createElement("button");
    accept.type = "button"; accept.textContent = words.accept; accept.className = "offer-accept";
    const decline = document.createElement("button");
    decline.type = "button"; decline.textContent = words.decline; decline.className = "link offer-decline";
    card.append(title, left, accept, decline);
    box.append(card);
    const ends = Date.parse(offer.expires_at);
    const tick = setInterval(() => {
      const seconds = Math.max(0, Math.round((ends - Date.now()) / 1000));
      left.textContent = words.secondsLeft.replace("{seconds}", String(seconds));
      if (seconds <= 0) { clearInterval(tick); card.remove(); }
    }, 250);
    const answer = (yes) => socket.emit("offer_answer", { offer_id: offer.offer_id, accept: yes }, (reply) => {
      clearInterval(tick);
      card.remove();
      if (yes && reply && reply.ok) window.location.href = `/tickets/${reply.ticket_id}`;
    });
    accept.addEventListener("click", () => answer(true));
    decline.addEventListener("click", () => answer(false));
  };
}

function attachBoard(socket) {
  const board = document.getElementById("agents-live");
  if (!board) return;
  // Loads change with assignments, offers and solves: re-read the board's rows (at most twice a second).
  let pending = null;
  const refresh = () => {
    if (pending) return;
    pending = setTimeout(async () => {
      pending = null;
      const response = await fetch(window.location.href, { credentials: "same-origin" });
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html").querySelector("#agents-live tbody");
      if (fresh) board.querySelector("tbody").replaceWith(fresh);
    }, 500);
  };
  ["routing.offer", "ticket.updated", "ticket.created", "agent.availability"].forEach((name) => socket.on(name, refresh));
  socket.on("agent.availability", (event) => {
    const row = document.getElementById(`agent-row-${event.user_id}`);
    if (!row) return;
    const status = row.querySelector(".availability");
    status.dataset.status = event.status;
    status.textContent = board.dataset[event.status] || event.status;
    row.querySelector(".reason").textContent = event.reason ? t(event.reason) : "";
    row.querySelector(".since").textContent = new Date(event.sent_at * 1000).toLocaleTimeString();
  });
}

export function attachAvailability(socket) {
  if (!document.getElementById("availability")) return;
  attachControl(socket);
  socket.on("routing.offer", (offer) => {
    if (String(offer.user_id) !== document.body.dataset.userId) return;
    if (offer.state === "pending") showOffer(socket)(offer);
    else document.getElementById(`offer-${offer.offer_id}`)?.remove();
  });
  attachBoard(socket);
}
