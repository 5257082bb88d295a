// The console's words in the agent's language. base.html embeds the translations of the strings
// that scripts write (helpdesk/i18n/script.py lists them, so the catalogue extraction finds them);
// a string without one reads in English. `%(name)s` placeholders are filled from `values`.
let table = null;

export function t(text, values = {}) {
  if (table === null) {
    const el = document.getElementById("console-strings");
    try { table = el ? JSON.parse(el.textContent) : {}; } catch { table = {}; }
  }
  const translated = table[text] || text;
  return translated.replace(/%\((\w+)\)s/g, (_, key) => String(values[key] ?? ""));
}
