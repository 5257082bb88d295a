// The chat widget a customer's site embeds with one tag:
//   <script src="https://helpdesk.example/widget.js" data-channel="KEY" async></script>
// Optional on the same tag, for visitors the site has signed in: data-email, data-name and
// data-identity-hash (HMAC-SHA256 of the e-mail with the widget's identity secret, computed by
// the site's server). The panel lives in a shadow root with its own adopted style sheet, so the
// page's CSS does not reach it and no inline style is needed; it talks Socket.IO to /chat.
import { io } from "socket.io-client";
import { buildPanel } from "./panel.js";
import { attachSuggestions } from "./suggest.js";
import { attachSurveys } from "./survey.js";
import css from "./widget.css";

const TYPING_IDLE_MS = 3000;
const READ_DELAY_MS = 800; // lets the server record the delivery before the read
const STATUS_EVERY_MS = 60000;

function storage(key) {
  const name = `helpdesk-chat:${key}`;
  return {
    get: () => { try { return window.localStorage.getItem(name); } catch { return null; } },
    set: (value) => { try { window.localStorage.setItem(name, value); } catch { /* private mode: session only */ } },
    clear: () => { try { window.localStorage.removeItem(name); } catch { /* nothing stored */ } },
  };
}

function randomId() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function start(script, key) {
  const base = new URL(script.src, window.location.href).origin;
  const store = storage(key);
  const identity = { email: script.dataset.email, name: script.dataset.name, hash: script.dataset.identityHash };
  const host = document.createElement("div");
  const shadow = host.attachShadow({ mode: "open" });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  const looks = new CSSStyleSheet(); // the widget's own colour, from its configuration
  shadow.adoptedStyleSheets = [sheet, looks];
  const ui = buildPanel(shadow, base);
  ui.root.hidden = true; // until the server says which corner and colour: no jump, no flash
  document.body.appendChild(host);

  const state = { config: null, email: null, visitor: { name: identity.name || null, topic: null }, started: false,
    unread: 0, lastAgentId: 0, seenUpTo: 0, items: new Map(), typingTimer: null, typing: false };

  const socket = io(`${base}/chat`, {
    auth: (cb) => cb({ key, token: store.get() || undefined }),
    transports: ["websocket", "polling"],
  });
  attachSuggestions(ui, base, socket);
  attachSurveys(ui, socket);

  const show = (node, visible) => { node.hidden = !visible; };
  const isOpen = () => !ui.panel.hidden;
  const showError = (text) => { ui.error.textContent = text || ""; show(ui.error, Boolean(text)); };

  function add(item) {
    const known = item.id && state.items.get(item.id);
    const merged = { ...(known || {}), ...item };
    if (merged.from === "visitor" && merged.id && merged.id <= state.seenUpTo) merged.seen = true;
    if (merged.id) state.items.set(merged.id, merged);
    ui.render(merged);
    if (merged.from === "agent" && !known) {
      state.lastAgentId = Math.max(state.lastAgentId, merged.id);
      if (isOpen() && document.visibilityState === "visible") setTimeout(markRead, READ_DELAY_MS);
      else { state.unread += 1; ui.badge.textContent = String(state.unread); show(ui.badge, true); }
      show(ui.typing, false);
    }
  }

  function markRead() {
    if (state.lastAgentId) socket.emit("read", { up_to: state.lastAgentId });
    state.unread = 0;
    show(ui.badge, false);
  }

  function applyLooks(cfg) {
    const colour = /^#[0-9a-f]{6}$/i.test(cfg.colour || "") ? cfg.colour : null;
    looks.replaceSync(colour ? `.root { --accent: ${colour}; }` : "");
    ui.root.classList.toggle("left", cfg.position === "bottom-left");
    ui.title.textContent = cfg.title || "Chat";
    ui.panel.setAttribute("aria-label", cfg.title || "Chat");
    ui.launcher.setAttribute("aria-label", cfg.title || "Chat with us");
    show(ui.root, true);
  }

  function refreshForms() {
    const cfg = state.config;
    if (!cfg) return;
    const fresh = state.items.size === 0 && !state.started;
    show(ui.prechat, cfg.prechat && fresh && !state.email && !identity.hash);
    show(ui.composer, ui.prechat.hidden);
    show(ui.offline, !cfg.online);
    ui.offline.textContent = state.email ? `${cfg.offline_message} We will answer at ${state.email}.` : cfg.offline_message;
    show(ui.emailForm, !cfg.online && !state.email && ui.prechat.hidden);
    show(ui.portal, Boolean(state.email));
    ui.status.textContent = cfg.online ? "online" : "offline";
    ui.status.classList.toggle("online", cfg.online);
  }

  socket.on("welcome", (hello) => {
    store.set(hello.token);
    state.config = hello.config;
    state.email = hello.email;
    applyLooks(hello.config);
    ui.greeting.textContent = hello.config.greeting;
    for (const item of hello.history) add(item);
    refreshForms();
    showError("");
    if (identity.email && identity.hash && !state.email) identify({ email: identity.email, name: identity.name, identity_hash: identity.hash });
  });
  socket.on("connect_error", (err) => {
    if (err && err.message === "invalid visitor token") { store.clear(); socket.connect(); return; }
    ui.status.textContent = "offline";
    ui.status.classList.remove("online");
  });
  socket.on("disconnect", () => { ui.status.textContent = "reconnecting…"; ui.status.classList.remove("online"); });
  socket.on("message_added", add);
  socket.on("read", ({ up_to: upTo }) => {
    state.seenUpTo = Math.max(state.seenUpTo, upTo);
    for (const item of state.items.values()) if (item.from === "visitor" && item.id <= upTo && !item.seen) add(item);
  });
  socket.on("agent", ({ name, typing }) => {
    ui.typing.textContent = `${name} is typing…`;
    show(ui.typing, typing);
  });

  function identify(data) {
    socket.emit("identify", data, (answer) => {
      if (!answer || !answer.ok) { showError(answer && answer.error); return; }
      if (answer.verified) state.email = answer.email;
      else if (answer.confirmation_sent) ui.offline.textContent = "Check your inbox: confirm your address and our answers will reach you there.";
      show(ui.emailForm, false);
      if (answer.verified) refreshForms();
    });
  }

  ui.portal.addEventListener("click", () => {
    socket.emit("portal_link", { lang: navigator.language }, (answer) => {
      if (!answer || !answer.ok) { showError(answer && answer.error); return; }
      window.open(answer.url, "_blank", "noopener");
    });
  });

  function setTyping(typing) {
    clearTimeout(state.typingTimer);
    if (typing) state.typingTimer = setTimeout(() => setTyping(false), TYPING_IDLE_MS);
    if (typing === state.typing) return;
    state.typing = typing;
    socket.emit("typing", { typing });
  }

  function post(text) {
    const item = { client_id: randomId(), from: "visitor", text, at: new Date().toISOString() };
    ui.render(item);
    const payload = { text, client_id: item.client_id, name: state.visitor.name, topic: state.visitor.topic,
      consent: state.visitor.consent };
    socket.timeout(10000).emit("post_message", payload, (err, answer) => {
      if (err || !answer || !answer.ok) ui.render({ ...item, failed: (answer && answer.error) || "no connection" });
      else { add({ ...item, id: answer.id }); if (state.visitor) delete state.visitor.consent; }
    });
    state.started = true;
    setTyping(false);
  }

  async function upload(file) {
    const form = new FormData();
    form.append("file", file);
    form.append("client_id", randomId());
    showError("");
    try {
      const response = await fetch(`${base}/widget/${encodeURIComponent(key)}/upload`, {
        method: "POST", body: form, headers: { Authorization: `Bearer ${store.get()}` },
      });
      const answer = await response.json();
      if (!answer.ok) showError(answer.error);
      else add(answer.item);
    } catch {
      showError("The file could not be sent.");
    }
  }

  ui.launcher.addEventListener("click", () => {
    show(ui.panel, ui.panel.hidden);
    if (isOpen()) { markRead(); (ui.prechat.hidden ? ui.text : ui.prechat.elements.name).focus(); }
  });
  ui.close.addEventListener("click", () => show(ui.panel, false));
  document.addEventListener("visibilitychange", () => { if (isOpen() && document.visibilityState === "visible") markRead(); });
  ui.prechat.addEventListener("submit", (event) => {
    event.preventDefault();
    const form = ui.prechat.elements;
    state.visitor = { name: form.name.value.trim() || null, topic: form.topic.value.trim() || null,
      consent: { surveys: form.consent_surveys.checked } };
    state.started = true;
    if (form.email.value.trim()) identify({ name: state.visitor.name, email: form.email.value.trim() });
    refreshForms();
    ui.text.focus();
  });
  ui.emailForm.addEventListener("submit", (event) => {
    event.preventDefault();
    identify({ name: state.visitor.name, email: ui.emailForm.elements.email.value.trim() });
  });
  ui.composer.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = ui.text.value.trim();
    if (!text) return;
    ui.text.value = "";
    post(text);
  });
  ui.text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); ui.composer.requestSubmit(); }
  });
  ui.text.addEventListener("input", () => setTyping(Boolean(ui.text.value.trim())));
  ui.file.addEventListener("change", () => { if (ui.file.files[0]) upload(ui.file.files[0]); ui.file.value = ""; });
  setInterval(() => {
    if (isOpen() && socket.connected) socket.emit("status", null, (answer) => {
      if (answer && answer.ok && state.config && answer.online !== state.config.online) { state.config.online = answer.online; refreshForms(); }
    });
  }, STATUS_EVERY_MS);

  window.HelpdeskChat = {
    open: () => { if (ui.panel.hidden) ui.launcher.click(); },
    close: () => show(ui.panel, false),
    identify: ({ email, name, identityHash }) => identify({ email, name, identity_hash: identityHash }),
  };
}

const script = document.currentScript || document.querySelector('script[data-channel][src*="widget.js"]');
const key = script && script.dataset.channel;
if (key && !window.HelpdeskChat) {
  if (document.body) start(script, key);
  else document.addEventListener("DOMContentLoaded", () => start(script, key));
}
