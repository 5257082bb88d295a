"""SLA burst: 5,000 open tickets crossing in the same minute, acted on by one scheduler run.

    python -m bench.bench_sla_burst --database-url sqlite:///bench/results/sla_burst.sqlite3
    python -m bench.bench_sla_burst --database-url postgresql://postgres@127.0.0.1:5432/bench_sla_burst
    ... --crossings 5000 --open 12000 --jobs queued|inline --profile 30

Seeds a fresh database each run (the SQLite file is replaced, the PostgreSQL database dropped and
made again: never `test`) with `--open` open tickets on bench_sla's two policies and Madrid calendar,
one customer message each, SLA columns as the engine keeps them; `--crossings` of the tickets in ok
or warning are then made due a minute ago and `sla_scan.scan()` is timed (wall and this process's
CPU seconds, which other work on the machine disturbs less than wall time).

`--jobs queued` (default) is production: what the crossings start (assignee e-mails, report-fact
refreshes, supervisor e-mail) goes to the job queue, whose draining is then timed separately, as
the worker would run it. `--jobs inline` runs them inside the scan (the older bench_sla figure).
`--profile N` prints the N heaviest functions of a cProfile of the scan (on CPU time, or with
`--profile-clock wall` on wall time, which shows the waits for the database server).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import time
from datetime import datetime, timedelta
from pathlib import Path

from bench import bench_sla as base
from bench import common

CLOCKED = ("helpdesk.services.sla.dashboard", "helpdesk.services.sla.scan", "helpdesk.services.sla.clocks",
           "helpdesk.services.sla.config")


def _fresh(url: str) -> None:
    if common.backend(url) == "postgresql":
        base._reset_postgres(url)
        return
    path = Path(common.engine_url(url)[len("sqlite:///"):])
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def seed(app, open_tickets: int) -> None:
    """Settings, customers, open tickets with one customer message each (bench_sla's shapes)."""
    from flask_migrate import upgrade

    from helpdesk.extensions import db
    from helpdesk.models import Customer, Message, Ticket

    rng = random.Random(23)
    with app.app_context():
        upgrade()
        members = base._settings()
        customers = min(base.CUSTOMERS, open_tickets)
        base._insert(Customer.__table__, [{"id": n, "name": f"Customer {n}", "tier": "standard",
                                           "created_at": base.NOW, "updated_at": base.NOW}
                                          for n in range(1, customers + 1)])
        rows = base._ticket_rows(rng, members, 1, open_tickets, 1.0)
        for row in rows:
            row["customer_id"] = 1 + row["customer_id"] % customers
        base._insert(Ticket.__table__, rows)
        base._insert(Message.__table__, [
            {"ticket_id": r["id"], "kind": "inbound", "channel": "email", "source": "bench", "body_text": "Help",
             "is_automated": False, "created_at": r["created_at"], "delivery_attempts": 0} for r in rows])
        db.session.commit()


def _make_due(app, count: int) -> int:
    from sqlalchemy import select, update

    from helpdesk.extensions import db
    from helpdesk.models import Ticket

    with app.app_context():
        candidates = list(db.session.scalars(select(Ticket.id).where(Ticket.sla_state.in_(("ok", "warning")))
                                             .order_by(Ticket.id)))
        chosen = random.Random(7).sample(candidates, min(count, len(candidates)))
        for first in range(0, len(chosen), 1000):
            db.session.execute(update(Ticket).where(Ticket.id.in_(chosen[first:first + 1000]))
                               .values(sla_check_at=base.NOW - timedelta(minutes=1)))
        db.session.commit()
        return len(chosen)


def _drain(app) -> dict:
    """Run every job the scan queued, as the worker would (scheduled ones as if their delay passed)."""
    from helpdesk.jobs.queue import huey

    names: dict[str, int] = {}
    later = datetime(2200, 1, 1)  # a delayed job (report refreshes) runs as if its delay had passed
    wall, cpu = time.perf_counter(), time.process_time()
    while (task := huey.dequeue()) is not None:  # including the jobs that jobs queue
        names[task.name] = names.get(task.name, 0) + 1
        huey.execute(task, later)
    return {"jobs": names, "wall_s": round(time.perf_counter() - wall, 3),
            "cpu_s": round(time.process_time() - cpu, 3)}


def burst(url: str, crossings: int, open_tickets: int, jobs: str, profile: int, clock: str = "cpu") -> dict:
    """Seed, make `crossings` tickets due, time one scan (and the jobs it queued)."""
    from helpdesk.jobs.queue import huey
    from helpdesk.services.sla import scan as sla_scan

    _fresh(url)
    base._clock(CLOCKED, base.NOW)
    app = common.make_app(url, HELPDESK_JOBS_IMMEDIATE=(jobs == "inline"))
    huey.flush()
    started = time.perf_counter()
    seed(app, open_tickets)
    due = _make_due(app, crossings)
    result: dict = {"open_tickets": open_tickets, "due": due, "jobs": jobs,
                    "seed_s": round(time.perf_counter() - started, 1), "loadavg_before": os.getloadavg()}
    # CPU time by default: on a shared machine waiting for a core would land on whatever ran; wall
    # time (`--profile-clock wall`) shows the waits for the database server too.
    timer = time.process_time if clock == "cpu" else time.perf_counter
    profiler = cProfile.Profile(timer) if profile else None
    with app.app_context():
        wall, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        report = sla_scan.scan(base.NOW)
        if profiler:
            profiler.disable()
        result["scan"] = {"wall_s": round(time.perf_counter() - wall, 3), "cpu_s": round(time.process_time() - cpu, 3),
                          "checked": report.checked, "crossings_acted_on": len(report.fired)}
        again = time.perf_counter()
        second = sla_scan.scan(base.NOW)
        result["second_scheduler"] = {"ms": round((time.perf_counter() - again) * 1000, 1),
                                      "crossings_acted_on": len(second.fired)}
        if jobs == "queued":
            result["queued_jobs"] = _drain(app)
    result["loadavg_after"] = os.getloadavg()
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(profile)
        print(out.getvalue())
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="sqlite:///bench/results/sla_burst.sqlite3")
    parser.add_argument("--crossings", type=int, default=5000, help="tickets made due at once")
    parser.add_argument("--open", type=int, default=12000, help="open tickets seeded")
    parser.add_argument("--jobs", choices=("queued", "inline"), default="queued")
    parser.add_argument("--profile", type=int, default=0, help="print the N heaviest functions of a cProfile")
    parser.add_argument("--profile-clock", choices=("cpu", "wall"), default="cpu")
    parser.add_argument("--tag", default="")
    args = parser.parse_args()
    result = burst(args.database_url, args.crossings, args.open, args.jobs, args.profile, args.profile_clock)
    result["machine"] = common.machine(args.database_url)
    name = f"sla-burst-{common.label(args.database_url)}-{args.jobs}" + (f"-{args.tag}" if args.tag else "")
    print(common.save(name, result).read_text())


if __name__ == "__main__":
    main()
