"""Ticket search benchmark: what agents type into the console's search box, timed through the search
service (`helpdesk.services.search.tickets.search`, one page of 25 with snippets), on a seeded database.

    python -m bench.seed --database-url sqlite:///bench/results/bench.sqlite3      # indexes at the end
    python -m bench.bench_search --database-url sqlite:///bench/results/bench.sqlite3
    python -m bench.bench_search --database-url postgresql://postgres@127.0.0.1:5432/bench

Queries by kind: rare and common words, numbers inside subjects, ticket numbers, a name without its
accent, typos, field filters alone and with words, as an agent of two groups (agent01) and as a
supervisor who sees every group. Results go to bench/results/search-<label>.json.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from sqlalchemy import func, select

from bench import common

QUERIES = {
    "word": ["webhook", "shopify", "dashboard", "spam", "canary", "sandbox", "screenshot", "gdpr"],
    "common word": ["order", "refund", "please", "account", "password reset"],
    "number in text": ["500", "v2 orders 500"],
    "accent folded": ["garcia", "muller", "ines", "chloe"],
    "typo": ["pasword", "webhok", "shoppify", "invocie"],
    "filters only": ["status:open priority:high", "group:Billing status:pending", "assignee:me", "tag:refund",
                     "channel:email created>2026-11-01"],
    "filters and words": ["status:open refund", "group:Billing invoice", "priority:urgent password",
                          "assignee:me order", "customer:garcia refund", "created>2026-11-01 webhook"],
}


def _ticket_numbers(app, rng: random.Random, count: int) -> tuple[list[str], list[str]]:
    """Ticket numbers (`#N` and bare) and order numbers that appear in subjects."""
    from helpdesk.extensions import db
    from helpdesk.models import Ticket

    with app.app_context():
        top = db.session.scalar(select(func.max(Ticket.id))) or 1
        subjects = db.session.scalars(select(Ticket.subject).where(Ticket.subject.like("%#%"))
                                      .order_by(Ticket.id).limit(2000)).all()  # the same sample every run
        db.session.remove()
    numbers = [f"#{rng.randint(1, top)}" for _ in range(count)] + [str(rng.randint(1, top)) for _ in range(count)]
    inside = [s.split("#", 1)[1].split()[0].strip("?") for s in subjects if "#" in s]
    return numbers, rng.sample(inside, min(count, len(inside)))


def run(url: str, rounds: int) -> dict:
    from helpdesk.extensions import db
    from helpdesk.models import User
    from helpdesk.services.search.tickets import search

    app = common.make_app(url)
    rng = random.Random(16)
    numbers, inside = _ticket_numbers(app, rng, 6)
    queries = QUERIES | {"ticket number": numbers, "number in text": QUERIES["number in text"] + inside}
    results: dict = {}
    server = common.ServerCpu(url)
    with app.app_context():
        for email in (common.AGENT_EMAIL, common.SUPERVISOR_EMAIL):
            user = db.session.scalar(select(User).where(User.email == email))
            per_kind, everything = {}, []
            for kind, texts in queries.items():
                samples = []
                found = []
                per_query = {}
                for text in texts:
                    search(user, text)  # warm
                    db.session.remove()
                    user = db.session.merge(user)
                    walls, cpus, server_cpus = [], [], []
                    for _ in range(rounds):
                        server_before = server.ns()
                        started, cpu = time.perf_counter(), time.thread_time()
                        search(user, text)
                        walls.append((time.perf_counter() - started) * 1000)
                        cpus.append((time.thread_time() - cpu) * 1000)
                        server_cpus.append((server.ns() - server_before) / 1e6)
                    samples += walls
                    # CPU time of this thread (and of the database server's backends): what a search
                    # costs when it has a core to itself.
                    per_query[text] = {"p50": round(statistics.median(walls), 2), "max": round(max(walls), 2),
                                       "cpu_p50": round(statistics.median(cpus), 2),
                                       "server_cpu_p50": round(statistics.median(server_cpus), 2)}
                    found.append(len(search(user, text).hits))
                per_kind[kind] = common.summarise(samples) | {"hits_on_first_page": found, "queries": per_query}
                everything += samples
            results[user.role] = {"all": common.summarise(everything), "by_kind": per_kind}
            db.session.remove()
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=5, help="timed runs of each query")
    parser.add_argument("--per-query", action="store_true",
                        help="also print each query's p50, max and CPU p50 (this process's; the server's on PostgreSQL)")
    args = parser.parse_args(argv)
    results = run(args.database_url, args.rounds)
    from helpdesk.extensions import db
    from helpdesk.models import Ticket, TicketSearchDoc

    app = common.make_app(args.database_url)
    with app.app_context():
        size = {"tickets": db.session.scalar(select(func.count(Ticket.id))),
                "indexed": db.session.scalar(select(func.count(TicketSearchDoc.id)))}
    for role, r in results.items():
        print(f"{role}: search p50 {r['all']['p50']} p95 {r['all']['p95']} p99 {r['all']['p99']} ms over "
              f"{size['indexed']} indexed tickets")
        for kind, k in r["by_kind"].items():
            print(f"  {kind:18} p50 {k['p50']:>7} p95 {k['p95']:>7} max {k['max']:>7} ms  hits {k['hits_on_first_page']}")
            for text, t in k["queries"].items() if args.per_query else ():
                print(f"    {text:36} p50 {t['p50']:>7} max {t['max']:>7} cpu p50 {t['cpu_p50']:>7} "
                      f"server cpu p50 {t['server_cpu_p50']:>7} ms")
    path = common.save(f"search-{common.label(args.database_url)}", {
        "url": args.database_url, "size": size, "results": results, "machine": common.machine(args.database_url)})
    print(f"-> {path}")


if __name__ == "__main__":
    main()
