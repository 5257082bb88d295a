// Macros in the composer: `/` at the start of the reply (or the Macros button) opens a search over
// the agent's macros; picking one shows what it will do (a server-rendered preview), and Apply
// makes its changes and puts its reply into the composer, to be reviewed and sent.
import { debounce, fetchFragment } from "./live.js";
import { t } from "./i18n.js";

const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || "";
const SLASH = /^\/(\S*)$/; // the composer holds only a slash command: "/", "/refu"

export function attachMacroPicker() {
  const form = document.getElementById("composer");
  const picker = document.getElementById("macro-picker");
  if (!form || !picker) return;
  const body = document.getElementById("reply-body");
  const search = document.getElementById("macro-search");
  const content = document.getElementById("macro-picker-body");
  const state = document.getElementById("draft-state");

  const options = () => [...content.querySelectorAll("li[data-macro-id]")];
  const highlight = (index) => {
    const all = options();
    all.forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
  };
  const highlighted = () => options().findIndex((li) => li.getAttribute("aria-selected") === "true");

  const load = debounce(async (q) => {
    const url = new URL(picker.dataset.searchUrl, window.location.href);
    url.searchParams.set("q", q);
    const fragment = await fetchFragment(url);
    if (!fragment) return;
    content.replaceChildren(fragment);
    highlight(0);
  }, 120);

  const open = (q, focusSearch) => {
    picker.hidden = false;
    search.value = q;
    load(q);
    if (focusSearch) search.focus();
  };
  const close = () => { picker.hidden = true; content.replaceChildren(); };

  const showPreview = async (li) => {
    const fragment = await fetchFragment(li.dataset.previewUrl);
    if (fragment) content.replaceChildren(fragment);
    content.querySelector("[data-macro-apply]")?.focus();
  };

  const applyMacro = async (url) => {
    const response = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "X-Requested-With": "fetch" },
    }).catch(() => null);
    const answer = response ? await response.json().catch(() => ({})) : {};
    if (!response || !response.ok) {
      state.textContent = answer.message ? t("Macro not applied: %(field)s %(message)s.", answer) : t("Macro not applied.");
      return;
    }
    const kept = SLASH.test(body.value.trim()) ? "" : body.value.trimEnd();
    if (answer.reply) body.value = kept ? `${kept}\n\n${answer.reply}` : answer.reply;
    else if (!kept) body.value = "";
    close();
    body.focus();
    state.textContent = t("Macro applied");
    form.saveDraft?.(); // the composer's text is the draft: keep the server's copy in step
  };

  document.getElementById("open-macros").addEventListener("click", () => (picker.hidden ? open("", true) : close()));
  search.addEventListener("input", () => load(search.value));
  body.addEventListener("input", () => {
    const command = body.value.match(SLASH);
    if (command) open(command[1], false);
    else if (!picker.hidden && document.activeElement === body) close();
  });

  const keys = (event) => {
    if (picker.hidden) return;
    const index = highlighted();
    if (event.key === "Escape") { close(); body.focus(); event.preventDefault(); }
    else if (event.key === "ArrowDown") { highlight(Math.min(index + 1, options().length - 1)); event.preventDefault(); }
    else if (event.key === "ArrowUp") { highlight(Math.max(index - 1, 0)); event.preventDefault(); }
    else if (event.key === "Enter" && options()[index]) { showPreview(options()[index]); event.preventDefault(); }
  };
  body.addEventListener("keydown", keys);
  search.addEventListener("keydown", keys);

  content.addEventListener("click", (event) => {
    const li = event.target.closest("li[data-macro-id]");
    if (li) { showPreview(li); return; }
    if (event.target.closest("[data-macro-cancel]")) { load(search.value); return; }
    const apply = event.target.closest("[data-macro-apply]");
    if (apply) applyMacro(content.querySelector("#macro-preview").dataset.applyUrl);
  });
}
