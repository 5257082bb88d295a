// Help-center articles suggested while a visitor types their first message, from the knowledge
// base's /help/api/suggest. Titles and summaries are inserted as text only. The visitor id goes
// along, so the knowledge base keeps this as a self-service session: opening an article counts
// it as deflected unless a message (and so a ticket) follows, as on the contact form.
import css from "./suggest.css";

const DEBOUNCE_MS = 350;
const MIN_CHARS = 3;
const LIMIT = 3;

function language() {
  return document.documentElement.lang || navigator.language || "";
}

function suggestionItem(article) {
  const li = document.createElement("li");
  const link = document.createElement("a");
  link.href = article.url;
  link.target = "_blank";
  link.rel = "noopener";
  link.textContent = article.title;
  li.appendChild(link);
  if (article.summary) {
    const summary = document.createElement("p");
    summary.textContent = article.summary;
    li.appendChild(summary);
  }
  return li;
}

// Adds the suggestion box above the composer of `ui` (see panel.js) and feeds it from what the
// visitor types, until their first message is sent or if they already have a conversation.
export function attachSuggestions(ui, base, socket) {
  const box = document.createElement("section");
  box.className = "suggestions";
  box.hidden = true;
  box.setAttribute("aria-label", "Suggested help articles");
  const heading = document.createElement("p");
  heading.textContent = "These articles may answer your question:";
  const list = document.createElement("ul");
  box.append(heading, list);
  ui.composer.before(box);
  const shadow = ui.root.getRootNode();
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  shadow.adoptedStyleSheets = [...shadow.adoptedStyleSheets, sheet];

  const state = { visitor: null, done: false, timer: null, asked: "" };
  const hide = () => { box.hidden = true; list.replaceChildren(); };
  socket.on("welcome", (hello) => {
    state.visitor = hello.visitor_id;
    if (hello.history && hello.history.length) { state.done = true; hide(); }
  });
  ui.composer.addEventListener("submit", () => {
    if (!ui.text.value.trim()) return; // nothing is sent
    state.done = true;
    clearTimeout(state.timer);
    hide();
  });

  async function fetchSuggestions(query) {
    const params = new URLSearchParams({ q: query, lang: language(), source: "widget", limit: String(LIMIT) });
    if (state.visitor) params.set("visitor", state.visitor);
    state.asked = query;
    try {
      const response = await fetch(`${base}/help/api/suggest?${params}`, { headers: { Accept: "application/json" } });
      const data = response.ok ? await response.json() : { items: [] };
      if (state.done || state.asked !== query) return; // sent meanwhile, or a newer query is on its way
      list.replaceChildren(...data.items.slice(0, LIMIT).map(suggestionItem));
      box.hidden = list.children.length === 0;
    } catch {
      hide(); // suggestions are a help, never an obstacle to writing
    }
  }

  ui.text.addEventListener("input", () => {
    clearTimeout(state.timer);
    const query = ui.text.value.trim().slice(0, 200);
    if (state.done || query.length < MIN_CHARS) { hide(); return; }
    state.timer = setTimeout(() => fetchSuggestions(query), DEBOUNCE_MS);
  });
}
