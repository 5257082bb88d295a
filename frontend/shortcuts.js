// Keyboard shortcuts of the console. In a list: j / k move, o or Enter opens. On a ticket: r reply,
// n internal note, a assign to me, s solve. Everywhere: / search, ? lists them all. A key typed into
// a field (or with Ctrl, Alt or Meta) is the field's, never a shortcut.
import { t } from "./i18n.js";

export const SHORTCUTS = [
  ["j", "Next ticket in the list"],
  ["k", "Previous ticket in the list"],
  ["o / Enter", "Open the selected ticket"],
  ["r", "Reply to the customer"],
  ["n", "Write an internal note"],
  ["a", "Assign the ticket to me"],
  ["s", "Solve the ticket"],
  ["/", "Search tickets"],
  ["?", "Show these shortcuts"],
  ["Esc", "Close this list"],
];

function typing(target) {
  const el = target instanceof Element ? target : null;
  return Boolean(el && (el.closest("input, textarea, select, [contenteditable=''], [contenteditable=true]")));
}

function rows() {
  return [...document.querySelectorAll("#ticket-rows tr[data-ticket-id]")];
}

let selectedId = null; // kept by id: the live list re-renders its rows and the selection follows

function mark() {
  for (const row of rows()) {
    const on = row.dataset.ticketId === selectedId;
    row.classList.toggle("selected", on);
    row.setAttribute("aria-selected", String(on));
  }
}

function select(step) {
  const all = rows();
  if (!all.length) return;
  const current = all.findIndex((row) => row.dataset.ticketId === selectedId);
  const next = current < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, current + step));
  selectedId = all[next].dataset.ticketId;
  mark();
  all[next].scrollIntoView({ block: "nearest" });
}

function openSelected() {
  const row = document.querySelector("#ticket-rows tr.selected");
  const link = row && row.querySelector("a[href]");
  if (!link) return false;
  window.location.assign(link.href);
  return true;
}

function compose(internal) {
  const body = document.getElementById("reply-body");
  const box = document.querySelector("#composer input[name=internal]");
  if (!body) return false;
  if (box) box.checked = internal;
  body.focus();
  return true;
}

function setProperty(name, value) {
  const form = document.querySelector("#properties form.properties");
  const field = form && form.querySelector(`select[name=${name}]`);
  if (!field || ![...field.options].some((o) => o.value === value)) return false;
  field.value = value;
  form.requestSubmit(); // saved in the background (composer.js), the composer keeps its text
  return true;
}

function helpDialog() {
  let dialog = document.getElementById("shortcut-help");
  if (!dialog) {
    dialog = document.createElement("dialog");
    dialog.id = "shortcut-help";
    dialog.className = "shortcut-help";
    dialog.setAttribute("aria-labelledby", "shortcut-help-title");
    const title = document.createElement("h2");
    title.id = "shortcut-help-title";
    title.textContent = t("Keyboard shortcuts");
    const list = document.createElement("dl");
    for (const [keys, what] of SHORTCUTS) {
      const dt = document.createElement("dt");
      for (const key of keys.split(" / ")) {
        const kbd = document.createElement("kbd");
        kbd.textContent = key;
        dt.append(kbd, " ");
      }
      const dd = document.createElement("dd");
      dd.textContent = t(what);
      list.append(dt, dd);
    }
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = t("Close");
    close.addEventListener("click", () => dialog.close());
    dialog.append(title, list, close);
    document.body.append(dialog);
  }
  if (!dialog.open) dialog.showModal();
}

export function attachShortcuts() {
  const me = document.body.dataset.userId;
  if (!me) return;
  const table = document.getElementById("ticket-list");
  if (table) new MutationObserver(() => { if (selectedId) mark(); }).observe(table, { childList: true });
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (document.querySelector("dialog[open]") && event.key !== "?") return; // the dialog has the keys
    const onTicket = Boolean(document.getElementById("ticket"));
    let done = false;
    switch (event.key) {
      case "j": done = Boolean(rows().length) && (select(1), true); break;
      case "k": done = Boolean(rows().length) && (select(-1), true); break;
      case "o": done = !onTicket && openSelected(); break;
      case "Enter": done = !onTicket && !event.target.closest?.("a, button, summary") && openSelected(); break;
      case "r": done = onTicket && compose(false); break;
      case "n": done = onTicket && compose(true); break;
      case "a": done = onTicket && setProperty("assignee_id", me); break;
      case "s": done = onTicket && setProperty("status", "solved"); break;
      case "/": {
        const search = document.querySelector(".topbar .search input[name=q]");
        if (search) { search.focus(); search.select(); done = true; }
        break;
      }
      case "?": helpDialog(); done = true; break;
      default: break;
    }
    if (done) event.preventDefault(); // "/" or "r" must not also be typed into the field it focuses
  });
}
