// Live chat in the console: the queue page keeps itself current, a new chat rings (a short tone
// made with the Web Audio API, and the page title) on every console page, and the ticket page of
// a chat shows when the visitor is typing.
import { debounce, fetchFragment, localiseTimes } from "./live.js";
import { showToast } from "./notifications.js";
import { t } from "./i18n.js";

let audio = null;

// Browsers only let a page make sound after the person interacted with it: the context is made
// (or resumed) on the first click or key press, and a chat that rings before that only blinks.
function unlockSound() {
  const unlock = () => {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) audio = new Context();
    if (audio && audio.state === "suspended") audio.resume();
  };
  document.addEventListener("pointerdown", unlock, { once: true });
  document.addEventListener("keydown", unlock, { once: true });
}

function ring() {
  if (!audio || audio.state !== "running") return;
  const now = audio.currentTime;
  for (const [offset, frequency] of [[0, 880], [0.18, 1175]]) {
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, now + offset);
    gain.gain.exponentialRampToValueAtTime(0.2, now + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + offset + 0.16);
    tone.connect(gain).connect(audio.destination);
    tone.start(now + offset);
    tone.stop(now + offset + 0.18);
  }
}

function attachRinging(socket) {
  const baseTitle = document.title;
  let waiting = 0;
  const reset = () => { if (!document.hidden) { waiting = 0; document.title = baseTitle; } };
  socket.on("chat.waiting", (payload) => {
    waiting += 1;
    document.title = `(${waiting}) ${t("New chat")} · ${baseTitle}`;
    ring();
    showToast("chat", "A visitor is waiting in the chat", `/tickets/${Number(payload.ticket_id)}`);
    if (!document.hidden) setTimeout(reset, 8000);
  });
  document.addEventListener("visibilitychange", reset);
}

function attachQueue(socket) {
  const queue = document.getElementById("chat-queue");
  if (!queue) return;
  const refresh = debounce(async (freshId) => {
    const fragment = await fetchFragment("/chats?fragment=queue");
    if (!fragment) return;
    localiseTimes(fragment);
    if (freshId) fragment.getElementById(`chat-${freshId}`)?.classList.add("fresh");
    queue.replaceChildren(fragment);
  });
  socket.on("chat.waiting", (p) => refresh(p.ticket_id));
  socket.on("ticket.created", () => refresh());
  socket.on("ticket.updated", () => refresh());
  socket.on("message.created", () => refresh());
  socket.on("connect", () => refresh()); // whatever happened while disconnected
}

function attachVisitorTyping(socket) {
  const ticket = document.getElementById("ticket");
  const presence = document.getElementById("presence");
  if (!ticket || !presence) return;
  const ticketId = Number(ticket.dataset.ticketId);
  const line = document.createElement("p");
  line.id = "chat-typing";
  line.className = "presence chat-typing";
  line.hidden = true;
  line.textContent = t("The visitor is typing…");
  presence.after(line);
  let timer = null;
  socket.on("chat.typing", (p) => {
    if (!p || p.ticket_id !== ticketId) return;
    line.hidden = !p.typing;
    clearTimeout(timer);
    if (p.typing) timer = setTimeout(() => { line.hidden = true; }, 15000); // a visitor who vanished mid-word
  });
}

export function attachLiveChat(socket) {
  unlockSound();
  attachRinging(socket);
  attachQueue(socket);
  attachVisitorTyping(socket);
}
