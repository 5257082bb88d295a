// The supervisor dashboard, live: every event that can change a figure re-fetches the panels
// (server-rendered, escaped) and the chart's series; nothing is built from event payloads.
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip,
} from "chart.js";
import { debounce, fetchFragment, localiseTimes } from "./live.js";
import { tickClocks } from "./sla_clock.js";
import { t } from "./i18n.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement,
  Legend, Tooltip);

async function fetchSeries(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } });
  return response.ok ? response.json() : null;
}

function drawChart(canvas, series) {
  return new Chart(canvas, {
    data: {
      labels: series.days,
      datasets: [
        { type: "bar", label: t("Breaches"), data: series.breaches, yAxisID: "count", backgroundColor: "#b42318" },
        { type: "line", label: t("Compliance %"), data: series.compliance, yAxisID: "percent", borderColor: "#1c7c45",
          backgroundColor: "#1c7c45", spanGaps: true },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        count: { type: "linear", position: "left", beginAtZero: true, ticks: { precision: 0 } },
        percent: { type: "linear", position: "right", min: 0, max: 100, grid: { drawOnChartArea: false } },
      },
    },
  });
}

export function attachDashboard(socket) {
  const root = document.getElementById("sla-dashboard");
  if (!root) return;
  const canvas = document.getElementById("sla-chart");
  let chart = null;

  const refreshChart = async () => {
    const series = await fetchSeries(root.dataset.seriesUrl);
    if (!series) return;
    if (!chart) { chart = drawChart(canvas, series); return; }
    chart.data.labels = series.days;
    chart.data.datasets[0].data = series.breaches;
    chart.data.datasets[1].data = series.compliance;
    chart.update();
  };

  const refresh = debounce(async (withChart) => {
    const fragment = await fetchFragment(root.dataset.panelsUrl);
    if (fragment) {
      localiseTimes(fragment);
      tickClocks(fragment);
      document.getElementById("dashboard-panels").replaceChildren(fragment);
    }
    if (withChart) refreshChart();
  }, 300);

  for (const event of ["ticket.created", "ticket.updated", "agents.changed"]) socket.on(event, () => refresh(false));
  for (const event of ["sla.warning", "sla.breached", "sla.recomputed"]) socket.on(event, () => refresh(true));
  socket.on("connect", () => refresh(true)); // catch up on what happened while disconnected
  refresh(true); // and on what happened between rendering and loading this chunk
  root.dataset.live = "1";
}
