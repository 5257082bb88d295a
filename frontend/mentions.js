// "@" in an internal note completes staff names: typing "@an" lists the staff who may see this
// ticket whose name starts so; Enter, Tab or a click writes "@Ana Agent ". The server decides who
// a saved note mentions (services/mentions.py); this only helps to write the name exactly.
import { debounce } from "./live.js";

const TOKEN = /(^|\s)@([\p{L}\p{N}._-]{0,40})$/u; // an "@word" just before the caret

export function attachMentions() {
  const ticket = document.getElementById("ticket");
  const body = document.getElementById("reply-body");
  const internal = document.querySelector("#composer input[name=internal]");
  if (!ticket || !body || !internal) return;
  const list = document.createElement("ul");
  list.className = "mention-list";
  list.id = "mention-list";
  list.setAttribute("role", "listbox");
  list.hidden = true;
  body.after(list);
  body.setAttribute("aria-controls", list.id);
  let items = [];
  let selected = 0;

  const close = () => { list.hidden = true; items = []; };
  const render = () => {
    list.replaceChildren(...items.map((user, i) => {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", String(i === selected));
      li.textContent = user.name; // names stay text
      li.addEventListener("mousedown", (e) => { e.preventDefault(); choose(i); });
      return li;
    }));
    list.hidden = items.length === 0;
  };
  const choose = (i) => {
    const user = items[i];
    const before = body.value.slice(0, body.selectionStart);
    const match = before.match(TOKEN);
    if (!user || !match) return close();
    const start = before.length - match[2].length - 1;
    const text = `@${user.name} `;
    body.setRangeText(text, start, body.selectionStart, "end");
    body.dispatchEvent(new Event("input", { bubbles: true })); // the draft saver hears it too
    close();
  };
  const lookup = debounce(async (prefix) => {
    const url = `/tickets/${Number(ticket.dataset.ticketId)}/mentionable?q=${encodeURIComponent(prefix)}`;
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) return close();
    items = (await response.json()).items;
    selected = 0;
    render();
  }, 150);

  body.addEventListener("input", () => {
    const match = internal.checked && body.value.slice(0, body.selectionStart).match(TOKEN);
    if (match) lookup(match[2]); else close();
  });
  body.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      selected = (selected + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      render();
    } else if (event.key === "Enter" || event.key === "Tab") {
      choose(selected);
    } else if (event.key === "Escape") {
      close();
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  });
  body.addEventListener("blur", () => setTimeout(close, 100));
}
