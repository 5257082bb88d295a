"""Latency of what an agent does all day in the console (issue 15): the composer's draft save, a
macro applied to a ticket, and a bulk change of 500 tickets.

    python -m bench.bench_console_actions --database-url sqlite:///bench/results/bench.sqlite3
    python -m bench.bench_console_actions --database-url postgresql://postgres@127.0.0.1:5432/bench

  draft        PUT /tickets/<id>/draft, the composer's background save (session cookie + CSRF header),
               20 tickets x 15 saves of a growing text: the first save of a ticket inserts, the rest update
  macro        POST /api/v1/tickets/<id>/macros/<m>: a macro with a reply (sent through the outbox), a
               status, two tags and an internal note, on a different open ticket each time
  macro_view   the same with ?preview=1 (what the composer shows first)
  macro_ui     POST /tickets/<id>/macros/<m>, the composer's Apply (reply into the draft)
  bulk_500     POST /api/v1/tickets/bulk with 500 of the agent's open tickets, {"priority", "add_tags"};
               each ticket in its own transaction through update_ticket, as a single change

Each runs in-process (Flask test client) and over HTTP (`helpdesk web`); in-process runs also
report this process's CPU time per call, which a busy machine does not inflate the way it does the
wall clock. Jobs are queued, as in
production (the web process enqueues deliveries and report refreshes for a worker). The run works
on a throwaway copy of the seeded database, since it changes tickets.
"""

from __future__ import annotations

import argparse
import random
import time

from sqlalchemy import select

from bench import common
from bench.bench_ingest import copy_database
from bench.http_harness import Server, csrf_token, login_client, login_http

MACRO = {"name": "Bench: refund sent", "scope": "personal",
         "body": "Hi {{customer.first_name}}, the refund for #{{ticket.number}} ({{ticket.subject}}) is on its way.\n"
                 "{{agent.first_name}}",
         "actions": {"status": "pending", "add_tags": ["refund", "bench"], "note": "Refund issued by {{agent.name}}"}}
WORDS = "thanks for writing we checked the order and the carrier says the parcel left the depot today".split()


def _setup(app, runs: int, bulk_size: int, seed: int = 5) -> dict:
    """The agent, its open tickets (macro targets and bulk batches), a token and the macro."""
    from helpdesk.extensions import db
    from helpdesk.models import Ticket, User
    from helpdesk.models.tickets import OPEN_STATUSES
    from helpdesk.services import staff
    from helpdesk.services.macros import library

    rng = random.Random(seed)
    with app.app_context():
        agent = db.session.scalar(select(User).where(User.email == common.AGENT_EMAIL))
        if agent is None:
            raise SystemExit("no bench staff in this database: seed it with `python -m bench.seed` first")
        open_ids = list(db.session.scalars(select(Ticket.id).where(
            Ticket.group_id.in_(agent.group_ids), Ticket.status.in_(OPEN_STATUSES), Ticket.merged_into_id.is_(None))))
        rng.shuffle(open_ids)
        macro = library.save(agent, MACRO)
        setup = {"agent_id": agent.id, "token": staff.create_token(agent, "bench"), "macro_id": macro.id,
                 "open_ids": open_ids, "bulk_ids": open_ids[:bulk_size], "open_in_groups": len(open_ids)}
        db.session.remove()
    if len(open_ids) < 4 * runs + 20:
        raise SystemExit(f"only {len(open_ids)} open tickets for the agent: seed more or lower --runs")
    return setup


def _text(i: int) -> str:
    return " ".join(WORDS[: 3 + i % len(WORDS)]) * (1 + i // len(WORDS))


def _timed(call, runs: int) -> dict:
    """common.time_calls, plus this process's CPU per call: on a machine other work keeps busy the
    wall clock waits for a core, the CPU time does not (in-process on SQLite it is all the work)."""
    start = time.process_time()
    result = common.time_calls(call, runs)
    result["cpu_ms_per_call"] = round((time.process_time() - start) * 1000 / (runs + 5), 2)
    return result


def suite(put, post, s: dict, runs: int, bulk_repeats: int, offset: int) -> dict:
    """Time every measurement through `put(path, json) -> status` (console session) and
    `post(path, json, api) -> status` (API token when `api`, else the console session)."""
    def ok(status: int, what: str) -> None:
        if status != 200:
            raise RuntimeError(f"{what} answered {status}")

    ids, macro = s["open_ids"], s["macro_id"]
    drafts = [ids[offset + k] for k in range(20)]
    results = {"draft": _timed(
        lambda i: ok(put(f"/tickets/{drafts[i // 15 % 20]}/draft", {"body": _text(i)}), "draft"), runs)}
    base = offset + 20  # tickets no earlier measurement touched
    results["macro_view"] = _timed(
        lambda i: ok(post(f"/api/v1/tickets/{ids[base + i]}/macros/{macro}?preview=1", None, True), "preview"), runs)
    results["macro"] = _timed(
        lambda i: ok(post(f"/api/v1/tickets/{ids[base + runs + 5 + i]}/macros/{macro}", None, True), "apply"), runs)
    results["macro_ui"] = _timed(
        lambda i: ok(post(f"/tickets/{ids[base + 2 * runs + 10 + i]}/macros/{macro}", None, False), "apply"), runs)
    seconds, cpu = [], []
    for k in range(bulk_repeats):
        change = {"priority": ("high", "low", "urgent", "normal")[k % 4], "add_tags": [f"wave-{offset}-{k}"]}
        start, start_cpu = time.perf_counter(), time.process_time()
        ok(post("/api/v1/tickets/bulk", {"ids": s["bulk_ids"], "changes": change}, True), "bulk")
        seconds.append(round(time.perf_counter() - start, 2))
        cpu.append(round(time.process_time() - start_cpu, 2))
    results["bulk_500"] = {"tickets": len(s["bulk_ids"]), "seconds": seconds, "max": max(seconds), "cpu_seconds": cpu}
    return results


def run_inprocess(app, s: dict, runs: int, repeats: int) -> dict:
    client = app.test_client()
    login_client(client, common.AGENT_EMAIL)
    token = csrf_token(client.get(f"/tickets/{s['open_ids'][0]}").get_data(as_text=True))
    session = {"X-CSRFToken": token}
    api = {"Authorization": f"Bearer {s['token']}"}
    return suite(lambda p, j: client.put(p, json=j, headers=session).status_code,
                 lambda p, j, is_api: client.post(p, json=j, headers=api if is_api else session).status_code,
                 s, runs, repeats, offset=0)


def run_http(url: str, s: dict, runs: int, repeats: int) -> dict:
    with Server(url) as server:
        agent = login_http(server.base, common.AGENT_EMAIL)
        token = csrf_token(agent.get(f"{server.base}/tickets/{s['open_ids'][0]}", timeout=60).text)
        session = {"X-CSRFToken": token}
        api = {"Authorization": f"Bearer {s['token']}"}
        import requests

        bearer = requests.Session()
        return suite(lambda p, j: agent.put(server.base + p, json=j, headers=session, timeout=60).status_code,
                     lambda p, j, is_api: (bearer if is_api else agent).post(
                         server.base + p, json=j, headers=api if is_api else session, timeout=120).status_code,
                     s, runs, repeats, offset=4 * runs + 40)


def print_table(results: dict) -> None:
    print(f"{'mode':<12}{'measurement':<14}{'p50':>9}{'p95':>9}{'p99':>9}{'n':>6}{'cpu/call':>10}")
    for mode, section in results.items():
        for name, r in section.items():
            if name == "bulk_500":
                print(f"{mode:<12}{name:<14} {r['tickets']} tickets in {r['seconds']} s (this process's CPU {r['cpu_seconds']} s)")
            else:
                print(f"{mode:<12}{name:<14}{r['p50']:>9}{r['p95']:>9}{r['p99']:>9}{r['n']:>6}{r['cpu_ms_per_call']:>10}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=300, help="timed requests per measurement")
    parser.add_argument("--bulk-size", type=int, default=500)
    parser.add_argument("--bulk-repeats", type=int, default=3)
    parser.add_argument("--modes", default="inprocess,http")
    parser.add_argument("--in-place", action="store_true", help="write into the seeded database itself")
    parser.add_argument("--tag", default="")
    args = parser.parse_args(argv)
    url = args.database_url if args.in_place else copy_database(args.database_url, "actions")
    app = common.make_app(url, HELPDESK_JOBS_IMMEDIATE=False)
    s = _setup(app, 2 * args.runs, args.bulk_size)
    print(f"agent01: {s['open_in_groups']} open tickets in its groups")
    results: dict = {}
    if "inprocess" in args.modes:
        results["inprocess"] = run_inprocess(app, s, args.runs, args.bulk_repeats)
    if "http" in args.modes:
        from helpdesk.extensions import db

        with app.app_context():
            db.engine.dispose()  # the server process is the only writer from here on
        results["http"] = run_http(url, s, args.runs, args.bulk_repeats)
    print_table(results)
    name = f"actions-{common.label(args.database_url)}" + (f"-{args.tag}" if args.tag else "")
    path = common.save(name, {"url": args.database_url, "copy": url, "runs": args.runs, "results": results,
                              "open_in_groups": s["open_in_groups"], "machine": common.machine(args.database_url)})
    print(f"-> {path}")


if __name__ == "__main__":
    main()
