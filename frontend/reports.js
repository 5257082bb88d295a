// The agent performance report's charts, drawn from series.json (numbers only, nothing rendered
// as HTML). Loaded as a separate chunk by the report page only; reuses the dashboard's chart library.
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip,
} from "chart.js";
import { t } from "./i18n.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement,
  Legend, Tooltip);

const COLOURS = ["#1d4ed8", "#1c7c45", "#b45309", "#7c3aed", "#b42318", "#0e7490"];
const hours = (seconds) => (seconds == null ? null : Math.round((seconds / 3600) * 100) / 100);
const OPTIONS = { animation: false, responsive: true, maintainAspectRatio: false };

function volumeChart(canvas, series) {
  const datasets = Object.entries(series.volume).map(([channel, counts], i) => (
    { type: "bar", label: channel, data: counts, backgroundColor: COLOURS[i % COLOURS.length] }));
  return new Chart(canvas, {
    data: { labels: series.days, datasets },
    options: { ...OPTIONS, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
  });
}

function timesChart(canvas, series) {
  return new Chart(canvas, {
    data: {
      labels: series.days,
      datasets: [
        { type: "line", label: t("First response (h)"), data: series.first_response_avg.map(hours), borderColor: COLOURS[0],
          backgroundColor: COLOURS[0], spanGaps: true },
        { type: "line", label: t("Resolution (h)"), data: series.resolution_avg.map(hours), borderColor: COLOURS[2],
          backgroundColor: COLOURS[2], spanGaps: true },
      ],
    },
    options: { ...OPTIONS, scales: { y: { beginAtZero: true } } },
  });
}

function qualityChart(canvas, series) {
  return new Chart(canvas, {
    data: {
      labels: series.days,
      datasets: [
        { type: "line", label: "SLA compliance %", data: series.sla_pct, yAxisID: "percent", borderColor: COLOURS[1],
          backgroundColor: COLOURS[1], spanGaps: true },
        { type: "line", label: "CSAT (1-5)", data: series.csat_avg, yAxisID: "csat", borderColor: COLOURS[3],
          backgroundColor: COLOURS[3], spanGaps: true },
      ],
    },
    options: {
      ...OPTIONS,
      scales: {
        percent: { type: "linear", position: "left", min: 0, max: 100 },
        csat: { type: "linear", position: "right", min: 1, max: 5, grid: { drawOnChartArea: false } },
      },
    },
  });
}

export async function attachReports() {
  const root = document.getElementById("report");
  if (!root) return;
  const response = await fetch(root.dataset.seriesUrl, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } });
  if (!response.ok) return;
  const series = await response.json();
  volumeChart(document.getElementById("chart-volume"), series);
  timesChart(document.getElementById("chart-times"), series);
  qualityChart(document.getElementById("chart-quality"), series);
  root.dataset.charts = "drawn";
}
