// The Topics report's chart: tickets per period, stacked by topic, drawn from series.json
// (numbers and topic names as data only, never as HTML). Loaded as its own chunk by that page.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from "chart.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

const COLOURS = ["#1d4ed8", "#1c7c45", "#b45309", "#7c3aed", "#b42318", "#0e7490", "#4d7c0f", "#be185d", "#6b7280"];

export async function attachTopicReport() {
  const root = document.getElementById("topics-chart");
  if (!root) return;
  const response = await fetch(root.dataset.seriesUrl, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } });
  if (!response.ok) return;
  const series = await response.json();
  const datasets = Object.entries(series.topics).map(([topic, counts], i) => (
    { type: "bar", label: topic, data: counts, backgroundColor: COLOURS[i % COLOURS.length] }));
  new Chart(document.getElementById("chart-topics"), {
    data: { labels: series.periods, datasets },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
  root.dataset.charts = "drawn";
}
