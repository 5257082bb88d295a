// Entry point of the agent console's script: one Socket.IO connection to /agent, shared by the
// parts of the page that are live. Pages work without it; it only keeps them current.
import { io } from "socket.io-client";
import { attachRecomputeProgress } from "./admin_sla.js";
import { attachAvailability } from "./availability.js";
import { attachBulkSelect } from "./bulk_select.js";
import { attachCalls } from "./calls.js";
import { attachComposer } from "./composer.js";
import { localiseTimes } from "./live.js";
import { attachLiveChat } from "./live_chat.js";
import { attachMacroPicker } from "./macro_picker.js";
import { attachMentions } from "./mentions.js";
import { attachNavMenu } from "./nav_menu.js";
import { attachNotifications } from "./notifications.js";
import { attachSavedViews } from "./saved_views.js";
import { attachShortcuts } from "./shortcuts.js";
import { startClocks } from "./sla_clock.js";
import { attachTicketList } from "./ticket_list.js";
import { attachTicketPage } from "./ticket_page.js";
import { t } from "./i18n.js";

function start() {
  localiseTimes();
  if (!document.body.dataset.userId) return; // signed out: nothing is live
  attachNavMenu();
  startClocks();
  attachRecomputeProgress();
  const indicator = document.getElementById("live-state");
  const socket = io("/agent", { withCredentials: true });
  socket.on("connect", () => { indicator.textContent = t("live"); indicator.dataset.state = "live"; });
  socket.on("disconnect", () => { indicator.textContent = t("reconnecting…"); indicator.dataset.state = "down"; });
  socket.on("connect_error", () => { indicator.textContent = t("offline"); indicator.dataset.state = "down"; });
  attachTicketList(socket);
  attachBulkSelect();
  attachSavedViews(socket);
  attachTicketPage(socket);
  attachComposer();
  attachMacroPicker();
  attachNotifications(socket);
  attachMentions();
  attachShortcuts();
  attachLiveChat(socket);
  attachAvailability(socket);
  attachCalls(socket);
  // The dashboard's chart library is loaded only on the dashboard (a separate chunk).
  if (document.getElementById("sla-dashboard")) import("./dashboard.js").then((m) => m.attachDashboard(socket));
  if (document.getElementById("report")) import("./reports.js").then((m) => m.attachReports());
  if (document.getElementById("topics-chart")) import("./topic_reports.js").then((m) => m.attachTopicReport());
  window.helpdeskSocket = socket; // for integrators' user scripts and the browser tests
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
