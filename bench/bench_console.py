"""Latency of the agent's default ticket list and of the ticket page, at four depths:

  service     tickets.list_page / get_for + messages_of + timeline_of, no HTTP
  inprocess   the Flask test client against the app, signed in through /login (CSRF token parsed)
  http        `helpdesk web --port P` in a subprocess, a requests.Session signed in the same way
  api         GET /api/v1/tickets and /api/v1/tickets/<id> with a bearer token, in-process and over HTTP

    python -m bench.bench_console --database-url sqlite:///bench/results/bench.sqlite3
    python -m bench.bench_console --database-url postgresql://postgres@127.0.0.1:5432/bench --runs 300

The agent (agent01) works in two groups; "list_first" is GET /tickets?view=open, "list_deep" follows
keyset cursors 500-2,000 tickets down, "ticket" opens tickets of the agent's groups (half open ones).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from bench import common, workload
from bench.http_harness import Server, login_client, login_http

MODES = ("service", "inprocess", "http", "api")


def _checked(get: Callable[[str], int], path_for: Callable[[int], str]) -> Callable[[int], None]:
    def call(i: int) -> None:
        path = path_for(i)
        status = get(path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
    return call


def page_suite(get, get_supervisor, w: workload.Workload, runs: int, *, api: bool = False) -> dict:
    """Time the list (first and deep pages) and the ticket page through `get(path) -> status`."""
    prefix = "/api/v1/tickets" if api else "/tickets"
    cursors, ids = w.deep_cursors, w.ticket_ids
    results = {
        "list_first": common.time_calls(_checked(get, lambda i: f"{prefix}?view=open"), runs),
        "list_deep": common.time_calls(_checked(get, lambda i: f"{prefix}?view=open&cursor={cursors[i % len(cursors)]}"), runs),
        "ticket": common.time_calls(_checked(get, lambda i: f"{prefix}/{ids[i % len(ids)]}"), runs),
    }
    if get_supervisor is not None:
        results["supervisor_list_first"] = common.time_calls(_checked(get_supervisor, lambda i: f"{prefix}?view=open"), runs)
    if api:  # the API's own default view is `all`
        results["list_all"] = common.time_calls(_checked(get, lambda i: prefix), runs)
    return results


def _token(app, user_id: int) -> str:
    from helpdesk.extensions import db
    from helpdesk.models import User
    from helpdesk.services import staff

    with app.app_context():
        token = staff.create_token(db.session.get(User, user_id), "bench")
        db.session.remove()
    return token


def run_inprocess(app, w: workload.Workload, runs: int) -> dict:
    """The console pages through the Flask test client."""
    agent, supervisor = app.test_client(), app.test_client()
    login_client(agent, common.AGENT_EMAIL)
    login_client(supervisor, common.SUPERVISOR_EMAIL)
    return page_suite(lambda p: agent.get(p).status_code, lambda p: supervisor.get(p).status_code, w, runs)


def run_http(url: str, w: workload.Workload, runs: int, port: int | None) -> dict:
    """The console pages through a real `helpdesk web` process."""
    with Server(url, port) as server:
        agent = login_http(server.base, common.AGENT_EMAIL)
        supervisor = login_http(server.base, common.SUPERVISOR_EMAIL)
        return page_suite(lambda p: agent.get(server.base + p, timeout=60).status_code,
                          lambda p: supervisor.get(server.base + p, timeout=60).status_code, w, runs)


def run_api(app, url: str, w: workload.Workload, runs: int, port: int | None) -> dict:
    """The JSON API, in-process and over HTTP, with a bearer token of the agent."""
    headers = {"Authorization": f"Bearer {_token(app, w.agent_id)}"}
    client = app.test_client()
    results = {"inprocess": page_suite(lambda p: client.get(p, headers=headers).status_code, None, w, runs, api=True)}
    with Server(url, port) as server:
        import requests

        session = requests.Session()
        session.headers.update(headers)
        results["http"] = page_suite(lambda p: session.get(server.base + p, timeout=60).status_code, None, w, runs,
                                     api=True)
    return results


def print_table(results: dict) -> None:
    """One line per mode and measurement: p50/p95/p99 in milliseconds."""
    print(f"{'mode':<16}{'measurement':<24}{'p50':>9}{'p95':>9}{'p99':>9}{'n':>6}")
    for mode, section in results.items():
        flat = section.items() if mode != "api" else ((f"{k}/{m}", v) for k, sub in section.items() for m, v in sub.items())
        for name, s in flat:
            print(f"{mode:<16}{name:<24}{s['p50']:>9}{s['p95']:>9}{s['p99']:>9}{s['n']:>6}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=300, help="timed requests per measurement")
    parser.add_argument("--modes", default=",".join(MODES), help=f"comma-separated, of {', '.join(MODES)}")
    parser.add_argument("--port", type=int, help="port for `helpdesk web` (default: a free one)")
    parser.add_argument("--tag", default="", help="suffix for the results file, e.g. 'before'")
    args = parser.parse_args(argv)
    modes = [m for m in args.modes.split(",") if m]
    app = common.make_app(args.database_url)
    w = workload.build(app, args.runs)
    print(f"agent01: {w.open_in_groups} open tickets in its groups; {len(w.ticket_ids)} ticket pages; "
          f"{len(w.deep_cursors)} deep cursors")
    results: dict = {}
    if "service" in modes:
        results["service"] = workload.run_service(app, w, args.runs)
    if "inprocess" in modes:
        results["inprocess"] = run_inprocess(app, w, args.runs)
    if "http" in modes:
        results["http"] = run_http(args.database_url, w, args.runs, args.port)
    if "api" in modes:
        results["api"] = run_api(app, args.database_url, w, args.runs, args.port)
    print_table(results)
    name = f"console-{common.label(args.database_url)}" + (f"-{args.tag}" if args.tag else "")
    path = common.save(name, {"url": args.database_url, "runs": args.runs, "open_in_groups": w.open_in_groups,
                              "results": results, "machine": common.machine(args.database_url)})
    print(f"-> {path}")


if __name__ == "__main__":
    main()
