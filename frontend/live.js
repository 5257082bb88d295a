// Fetching server-rendered fragments: the console never builds HTML from event payloads, so
// everything a customer wrote reaches the page only through the server's escaping templates.

export async function fetchFragment(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } });
  if (response.status === 401 || response.redirected) {
    window.location.reload(); // the session ended: the server will show the sign-in page
    return null;
  }
  if (!response.ok) return null;
  const template = document.createElement("template");
  template.innerHTML = (await response.text()).trim();
  return template.content;
}

// Runs `task` at most once per `wait` ms, and once more after the last call, so a burst of
// events costs one request.
export function debounce(task, wait = 250) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => task(...args), wait);
  };
}

export function localiseTimes(root = document) {
  for (const el of root.querySelectorAll("time[datetime]")) {
    const when = new Date(el.getAttribute("datetime"));
    if (!Number.isNaN(when.getTime())) {
      // The server wrote it in the agent's language and time zone; the exact instant on hover.
      el.title = when.toISOString();
    }
  }
}
