// Customer-facing knowledge base: suggestions as the customer types, in the help center's search
// box and beside the contact form (deflection). Articles come from /help/api/suggest.

const debounce = (fn, ms) => {
  let timer;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
};

async function suggest(url, params) {
  const response = await fetch(`${url}?${new URLSearchParams(params)}`, { headers: { Accept: "application/json" } });
  return response.ok ? response.json() : { items: [] };
}

// One suggestion: the title as a link (text only), the server's escaped snippet with <mark>s.
function item(article) {
  const li = document.createElement("li");
  const link = document.createElement("a");
  link.href = article.url;
  link.textContent = article.title;
  const snippet = document.createElement("p");
  snippet.innerHTML = article.snippet_html; // escaped by the server; only <mark> elements are markup
  li.append(link, snippet);
  return li;
}

function show(list, items) {
  list.replaceChildren(...items.map(item));
  list.hidden = items.length === 0;
}

function attachSearchBox(input) {
  const list = input.form.querySelector(".kb-suggestions");
  const run = debounce(async () => {
    const q = input.value.trim();
    if (q.length < 2) return show(list, []);
    const data = await suggest("/help/api/suggest", { q, lang: input.dataset.kbSuggest, source: "help" });
    show(list, data.items);
  }, 200);
  input.addEventListener("input", run);
}

function attachDeflection(panel) {
  const form = panel.closest("form") || document;
  const fields = ["subject", "body"].map((name) => form.querySelector(`[name="${name}"]`)).filter(Boolean);
  const list = panel.querySelector("ol");
  const run = debounce(async () => {
    const q = fields.map((f) => f.value).join(" ").trim().slice(0, 200);
    if (q.length < 3) { panel.hidden = true; return; }
    const data = await suggest(panel.dataset.url, { q, lang: panel.dataset.lang, visitor: panel.dataset.visitor, source: "portal" });
    show(list, data.items);
    panel.hidden = data.items.length === 0;
  }, 350);
  fields.forEach((f) => f.addEventListener("input", run));
}

function start() {
  document.querySelectorAll("input[data-kb-suggest]").forEach(attachSearchBox);
  const panel = document.getElementById("kb-deflect");
  if (panel) attachDeflection(panel);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
