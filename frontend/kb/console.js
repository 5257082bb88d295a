// Knowledge base in the agent console: the editor's live preview, and the ticket page's suggested
// articles with one-click insertion into the reply.

const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || "";
const debounce = (fn, ms) => {
  let timer;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
};

function attachPreview(form) {
  const body = form.querySelector("#kb-body");
  const preview = document.getElementById("kb-preview");
  if (!body || !preview) return;
  const render = debounce(async () => {
    const data = new FormData();
    data.append("body_md", body.value);
    data.append("csrf_token", csrf());
    const response = await fetch(form.dataset.previewUrl, { method: "POST", body: data, headers: { "X-CSRFToken": csrf() } });
    if (response.ok) preview.innerHTML = (await response.json()).html; // sanitised by the server
  }, 250);
  body.addEventListener("input", render);
}

// Put `text` into the composer at the cursor (or at the end), as if the agent had typed it.
function insertIntoReply(text) {
  const composer = document.getElementById("reply-body");
  if (!composer) return;
  const start = composer.selectionStart ?? composer.value.length;
  const end = composer.selectionEnd ?? composer.value.length;
  const before = composer.value.slice(0, start);
  const glue = before && !before.endsWith("\n") ? "\n" : "";
  composer.value = before + glue + text + composer.value.slice(end);
  const caret = (before + glue + text).length;
  composer.setSelectionRange(caret, caret);
  composer.focus();
  composer.dispatchEvent(new Event("input", { bubbles: true }));
}

function attachPanel(panel) {
  const results = document.getElementById("kb-panel-results");
  const load = async (q) => {
    const url = q ? `${panel.dataset.url}?${new URLSearchParams({ q })}` : panel.dataset.url;
    const response = await fetch(url, { headers: { Accept: "text/html" } });
    if (response.ok) results.innerHTML = await response.text(); // our own server-rendered fragment
    panel.dataset.state = "loaded";
  };
  const input = panel.querySelector('input[name="q"]');
  panel.querySelector("form").addEventListener("submit", (event) => { event.preventDefault(); load(input.value.trim()); });
  input.addEventListener("input", debounce(() => load(input.value.trim()), 300));
  results.addEventListener("click", async (event) => {
    const button = event.target.closest(".kb-insert");
    if (!button) return;
    event.preventDefault();
    const response = await fetch(button.dataset.url, { headers: { Accept: "application/json" } });
    if (response.ok) insertIntoReply((await response.json()).text);
  });
  load("");
}

function start() {
  const editor = document.getElementById("kb-editor");
  if (editor) attachPreview(editor);
  const panel = document.getElementById("kb-panel");
  if (panel) attachPanel(panel);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
