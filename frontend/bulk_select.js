// Selecting rows of a ticket list for a bulk action: checkboxes, shift-click for a range, the
// page's header box for the page, "every ticket in this view" for the whole list. The selection
// survives the list's live re-renders; the bar's actions apply to what is ticked.
import { t } from "./i18n.js";

export function attachBulkSelect() {
  const table = document.getElementById("ticket-list");
  const bar = document.getElementById("bulk-bar");
  if (!table || !bar) return;
  const count = document.getElementById("bulk-count");
  const pageBox = document.getElementById("select-page");
  const selectView = document.getElementById("bulk-select-view");
  const clear = document.getElementById("bulk-clear");
  const allInView = document.getElementById("bulk-all");
  const selected = new Set();
  let lastClicked = null;

  const boxes = () => [...table.querySelectorAll("tbody input[type=checkbox][name=ids]")];
  const show = () => {
    const n = selected.size;
    bar.dataset.selected = allInView.value === "1" || n > 0 ? "yes" : "no";
    if (allInView.value === "1") count.textContent = t("Every ticket in this view is selected");
    else count.textContent = n ? t("%(count)s selected", { count: n }) : t("Tick tickets to change several at once");
    if (selectView) selectView.hidden = n === 0 || allInView.value === "1";
    clear.hidden = n === 0 && allInView.value !== "1";
    const all = boxes();
    pageBox.checked = all.length > 0 && all.every((b) => b.checked);
    pageBox.indeterminate = !pageBox.checked && all.some((b) => b.checked);
  };
  const set = (box, on) => {
    box.checked = on;
    if (on) selected.add(box.value); else selected.delete(box.value);
    box.closest("tr")?.classList.toggle("selected", on);
  };

  table.addEventListener("click", (event) => {
    const box = event.target.closest("tbody input[type=checkbox][name=ids]");
    if (!box) return;
    const all = boxes();
    const anchor = all.findIndex((b) => b.value === lastClicked); // by id: live re-renders replace the rows
    if (event.shiftKey && anchor >= 0) {
      const [from, to] = [anchor, all.indexOf(box)].sort((a, b) => a - b);
      for (const b of all.slice(from, to + 1)) set(b, box.checked);
    } else {
      set(box, box.checked);
    }
    lastClicked = box.value;
    allInView.value = "";
    show();
  });
  pageBox.addEventListener("change", () => {
    for (const b of boxes()) set(b, pageBox.checked);
    allInView.value = "";
    show();
  });
  selectView?.addEventListener("click", () => {
    for (const b of boxes()) set(b, true);
    allInView.value = "1";
    show();
  });
  clear.addEventListener("click", () => {
    for (const b of boxes()) set(b, false);
    selected.clear();
    allInView.value = "";
    show();
  });
  bar.addEventListener("submit", (event) => {
    if (!selected.size && allInView.value !== "1") {
      event.preventDefault();
      count.textContent = t("Tick at least one ticket first");
    }
  });

  // The live list replaces its rows: tick again what was ticked, forget what left the page.
  new MutationObserver(() => {
    const present = new Set(boxes().map((b) => b.value));
    for (const id of [...selected]) if (!present.has(id)) selected.delete(id);
    for (const b of boxes()) set(b, selected.has(b.value));
    show();
  }).observe(table, { childList: true });
  show();
}
