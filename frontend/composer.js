// The composer never loses work: what the agent types is saved on the server as a draft (debounced,
// one save in flight at a time, the latest text wins), the properties panel saves in the background
// instead of reloading the page, and leaving the page with unsent text asks first.
import { t } from "./i18n.js";

const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

export function attachComposer() {
  const form = document.getElementById("composer");
  if (!form) return;
  const body = document.getElementById("reply-body");
  const internal = form.querySelector("input[name=internal]");
  const state = document.getElementById("draft-state");
  let submitting = false;
  let saved = JSON.stringify([body.value, internal.checked]); // what the server holds
  let inFlight = null;
  let timer = null;

  const save = async () => {
    clearTimeout(timer);
    const current = JSON.stringify([body.value, internal.checked]);
    if (current === saved || submitting) return;
    if (/^\/\S*$/.test(body.value.trim())) return; // a macro search being typed, not a reply
    if (inFlight) { await inFlight; return save(); } // the latest text is saved after the one in flight
    inFlight = fetch(form.dataset.draftUrl, {
      method: "PUT", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "X-Requested-With": "fetch" },
      body: JSON.stringify({ body: body.value, internal: internal.checked }),
    }).then((response) => {
      if (response.ok) {
        saved = current;
        state.textContent = body.value.trim() ? t("Draft saved") : "";
      } else {
        state.textContent = t("Draft not saved");
      }
    }).catch(() => { state.textContent = t("Draft not saved (offline)"); })
      .finally(() => { inFlight = null; });
    return inFlight;
  };
  const saveSoon = () => { clearTimeout(timer); timer = setTimeout(save, 700); };

  body.addEventListener("input", saveSoon);
  internal.addEventListener("change", save);
  body.addEventListener("blur", save);
  form.addEventListener("submit", () => { submitting = true; });
  window.addEventListener("beforeunload", (event) => {
    if (submitting || !body.value.trim()) return;
    save(); // best effort; the warning below gives it time
    event.preventDefault();
    event.returnValue = "";
  });
  // Exposed for other parts of the page (the macro picker fills the composer and saves at once).
  form.saveDraft = save;
  attachBackgroundProperties();
}

function attachBackgroundProperties() {
  const panel = document.getElementById("properties");
  if (!panel) return;
  panel.addEventListener("submit", async (event) => {
    const form = event.target.closest("form.properties");
    if (!form) return;
    event.preventDefault();
    const note = panel.querySelector(".properties-state") || document.createElement("p");
    note.className = "properties-state";
    note.setAttribute("role", "status");
    form.appendChild(note);
    note.textContent = t("Saving…");
    const response = await fetch(form.action, {
      method: "POST", credentials: "same-origin", body: new FormData(form),
      headers: { "X-CSRFToken": csrf(), "X-Requested-With": "fetch" },
    }).catch(() => null);
    const answer = response ? await response.json().catch(() => ({})) : {};
    if (!response || !response.ok) {
      note.className = "properties-state flash flash-error";
      note.textContent = answer.message ? t("Not changed: %(field)s %(message)s.", answer) : t("Not changed: try again.");
      return;
    }
    panel.dataset.dirty = "0";
    note.className = "properties-state flash flash-ok";
    note.textContent = Object.keys(answer.changes || {}).length ? t("Saved.") : t("Nothing changed.");
    if (answer.visible === false) window.location.assign("/tickets"); // moved to a group I am not in
  });
}
