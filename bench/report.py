"""Markdown tables from the result files in bench/results/, for bench/README.md.

    python -m bench.report                      # every console-*.json and ingest-*.json
    python -m bench.report console-sqlite-bench-after console-pg-bench-after
"""

from __future__ import annotations

import json
import sys

from bench import common

ROWS = (  # (label, mode, measurement)
    ("default list, first page", "inprocess", "list_first"),
    ("default list, first page", "http", "list_first"),
    ("default list, pages 10-39", "inprocess", "list_deep"),
    ("default list, pages 10-39", "http", "list_deep"),
    ("supervisor list, first page", "http", "supervisor_list_first"),
    ("ticket page", "inprocess", "ticket"),
    ("ticket page", "http", "ticket"),
    ("API list view=open", "api/http", "list_first"),
    ("API list default (view=all)", "api/http", "list_all"),
    ("API ticket", "api/http", "ticket"),
    ("service: list_page", "service", "list_first"),
    ("service: ticket + messages + timeline", "service", "ticket"),
)


def _load(name: str) -> dict:
    return json.loads((common.RESULTS / f"{name}.json").read_text())


def _pick(results: dict, mode: str, measurement: str) -> dict | None:
    if mode.startswith("api/"):
        return results.get("api", {}).get(mode.split("/", 1)[1], {}).get(measurement)
    return results.get(mode, {}).get(measurement)


def console_table(names: list[str]) -> str:
    """One row per measurement, p50 / p95 in ms for each result file."""
    files = [_load(n) for n in names]
    lines = ["| measurement | mode | " + " | ".join(f"{n} p50 / p95 ms" for n in names) + " |",
             "|---|---|" + "---|" * len(names)]
    for label, mode, measurement in ROWS:
        cells = []
        for data in files:
            s = _pick(data["results"], mode, measurement)
            cells.append(f"{s['p50']} / **{s['p95']}**" if s else "–")
        lines.append(f"| {label} | {mode} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def ingest_table(names: list[str]) -> str:
    """Messages (or requests) per second and latency for each ingest result file."""
    lines = ["| run | path | per second | p50 / p95 / p99 ms | 5-min load |", "|---|---|---|---|---|"]
    for name in names:
        data = _load(name)
        for path, r in data["results"].items():
            s = r["latency_ms"]
            load = round(data["machine"]["loadavg"][1], 1) if "loadavg" in data["machine"] else "?"
            lines.append(f"| {name} | {path} | {r['per_second']} | {s['p50']} / {s['p95']} / {s['p99']} | {load} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    names = (argv if argv is not None else sys.argv[1:]) or sorted(p.stem for p in common.RESULTS.glob("*.json"))
    console = [n for n in names if n.startswith("console-")]
    ingest = [n for n in names if n.startswith("ingest-")]
    if console:
        print(console_table(console), end="\n\n")
    if ingest:
        print(ingest_table(ingest))


if __name__ == "__main__":
    main()
