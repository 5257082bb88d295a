// The SLA admin page follows the recomputation that a settings change started, until it ends.

export function attachRecomputeProgress() {
  const box = document.getElementById("sla-recompute");
  if (!box) return;
  const poll = async () => {
    const response = await fetch(box.dataset.url, { credentials: "same-origin" });
    const data = response.ok ? await response.json() : null;
    if (!data) return;
    const set = (id, value) => { const el = document.getElementById(id); if (el) el.textContent = value; };
    set("recompute-state", data.state_name || data.state);  // the state in the reader's words
    set("recompute-done", data.done);
    set("recompute-total", data.total);
    const bar = document.getElementById("recompute-bar");
    if (bar) bar.value = data.percent;
    if (data.state === "queued" || data.state === "running") setTimeout(poll, 1000);
  };
  poll();
}
