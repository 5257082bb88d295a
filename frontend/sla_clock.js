// SLA clocks in lists and on ticket pages count down between server renders: every clock with a
// due time re-states how long is left (or how long it is overdue) every 15 seconds.
import { t } from "./i18n.js";

function span(ms) {
  let seconds = Math.floor(Math.abs(ms) / 1000);
  const days = Math.floor(seconds / 86400); seconds -= days * 86400;
  const hours = Math.floor(seconds / 3600); seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  if (days) return hours ? `${days}d ${hours}h` : `${days}d`;
  if (hours) return minutes ? `${hours}h ${minutes}m` : `${hours}h`;
  return minutes ? `${minutes}m` : `${seconds % 60}s`;
}

export function timeLeft(due, now = Date.now()) {
  const ms = due.getTime() - now;
  return ms >= 0 ? t("%(span)s left", { span: span(ms) }) : t("overdue %(span)s", { span: span(ms) });
}

export function tickClocks(root = document) {
  for (const el of root.querySelectorAll(".sla-clock[data-due]")) {
    if (el.dataset.state === "paused") continue;
    const due = new Date(el.dataset.due);
    if (!Number.isNaN(due.getTime())) el.textContent = timeLeft(due);
  }
}

export function startClocks() {
  tickClocks();
  setInterval(() => tickClocks(), 15000);
}
