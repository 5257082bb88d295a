"""The scaling curve (issue 18): 1, 2 and 4 `helpdesk web` processes behind nginx on PostgreSQL and
Redis, and the embedded default for comparison; at each visitor count the chat's p95 both ways and
the console API's requests/s, with every process's CPU seconds (what saturates first).

    .venv/bin/python -m bench.scaling --database-url postgresql://postgres@127.0.0.1:5432/bench_scaling \
        --redis-url redis://127.0.0.1:6379/9
    ... --web 1,2,4 --visitors 100,200,400 --think 0.5 --messages 20 --console-seconds 20 \
        --embedded-url sqlite:///bench/results/scaling.sqlite3 (the embedded default at the same loads)

For each topology (a fresh database each) and each visitor count, in turn:
- chat: bench_widget's load (visitors on `/chat` through the proxy, one agent answering over the
  API) with `--think` and `--messages`: visitor → agent and agent → visitor p50/p95;
- console: as many API clients as visitors (bench_burst, `--console-think` between requests, a
  tenth of them opening tickets) for `--console-seconds`: requests/s answered and p95.
Results: bench/results/scaling-<stamp>.json and a Markdown table on standard output.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time

from bench import bench_burst, bench_widget, common, topology


def _chat(running: topology.Running, visitors: int, messages: int, think: float) -> dict:
    setup = bench_widget.Setup(visitor_bases=running.bases, agent_base=running.bases[0], key=running.key,
                               token=running.token, verify=running.verify is None)
    before, load = topology.cpu_seconds(running.pids), os.getloadavg()
    timings, elapsed = asyncio.run(bench_widget.load(setup, visitors, messages, think, 20261207))
    cpu = {k: round(v - before[k], 1) for k, v in topology.cpu_seconds(running.pids).items()}
    found = bench_widget.summary(timings, elapsed)
    return {"visitor_to_agent": found["visitor_to_agent"], "agent_to_visitor": found["agent_to_visitor"],
            "messages_per_s": found["messages_per_s"], "errors": found["errors"], "seconds": found["seconds"],
            "cpu_s": cpu, "loadavg_before": load}


def _console(running: topology.Running, clients: int, seconds: float, think: float) -> dict:
    before, load = topology.cpu_seconds(running.pids), os.getloadavg()
    tally, elapsed = asyncio.run(bench_burst.burst(running.bases[0], running.token, clients, seconds, think, 0.1, 60,
                                                   running.verify))
    cpu = {k: round(v - before[k], 1) for k, v in topology.cpu_seconds(running.pids).items()}
    found = bench_burst.summary(tally, elapsed)
    return {"answered_per_s": found["answered_per_s"], "all": found["all"], "timeouts": found["timeouts"],
            "statuses": found["statuses"], "cpu_s": cpu, "loadavg_before": load}


def curve(args) -> list[dict]:
    """Every point of the curve, in the order run."""
    plans = [("scaled", args.database_url, args.redis_url, web) for web in args.web]
    if args.embedded_url:
        plans.insert(0, ("embedded", args.embedded_url, None, 1))
    points = []
    for mode, url, redis_url, web in plans:
        with topology.start(mode, url, redis_url, web) as running:
            asyncio.run(bench_widget.load(bench_widget.Setup(running.bases, running.bases[0], running.key,
                                                             running.token, running.verify is None), 10, 2, 0.2, 1))
            for visitors in args.visitors:
                point = {"mode": mode, "web": web, "visitors": visitors}
                point["chat"] = _chat(running, visitors, args.messages, args.think)
                point["console"] = _console(running, visitors, args.console_seconds, args.console_think)
                print(row(point), flush=True)
                points.append(point)
    return points


def _p95(summary: dict | None) -> str:
    return f"{summary['p95']:,.0f}" if summary else "-"


def row(point: dict) -> str:
    """One Markdown table row: topology, visitors, chat p95 both ways, console requests/s and p95,
    the busiest process's CPU share of the chat run, load."""
    chat, console = point["chat"], point["console"]
    busiest = max(chat["cpu_s"].items(), key=lambda item: item[1])
    where = "helpdesk run" if point["mode"] == "embedded" else f"{point['web']} web"
    return (f"| {where} | {point['visitors']} | {_p95(chat['visitor_to_agent'])} / {_p95(chat['agent_to_visitor'])} "
            f"| {chat['messages_per_s']} | {console['answered_per_s']} / {_p95(console['all'])} "
            f"| {busiest[0]} {busiest[1] / max(chat['seconds'], 0.1):.0%} | {chat['loadavg_before'][0]:.1f} |")


HEADER = ("| topology | visitors | chat p95 ms v→a / a→v | chat msg/s | console req/s / p95 ms | busiest (CPU share) | load |\n"
          "|---|---|---|---|---|---|---|")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="PostgreSQL database of its own (emptied)")
    parser.add_argument("--redis-url", required=True, help="a Redis database of its own (flushed)")
    parser.add_argument("--embedded-url", help="also the embedded default on this SQLite file")
    parser.add_argument("--web", type=lambda s: [int(n) for n in s.split(",") if n], default=[1, 2, 4],
                        help="web process counts behind nginx; \"\" for none (the embedded default only)")
    parser.add_argument("--visitors", type=lambda s: [int(n) for n in s.split(",")], default=[100, 200, 400])
    parser.add_argument("--think", type=float, default=0.5)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--console-seconds", type=float, default=20)
    parser.add_argument("--console-think", type=float, default=1.0)
    args = parser.parse_args(argv)
    print(HEADER, flush=True)
    points = curve(args)
    name = f"scaling-{time.strftime('%Y%m%d-%H%M')}"
    measured = args.database_url if args.web else args.embedded_url  # --web "": PostgreSQL was never used
    print(common.save(name, {"args": vars(args), "points": points, "machine": common.machine(measured)}))


if __name__ == "__main__":
    main()
