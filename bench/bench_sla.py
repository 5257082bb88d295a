"""SLA benchmarks: calendar math, the supervisor dashboard and the breach scan at 1,000,000 tickets.

    python -m bench.bench_sla calendar
    python -m bench.bench_sla seed --database-url sqlite:///bench/results/sla.sqlite3
    python -m bench.bench_sla seed --database-url postgresql://postgres@127.0.0.1:5432/bench_sla --reset
    python -m bench.bench_sla db --database-url sqlite:///bench/results/sla.sqlite3
    python -m bench.bench_sla db --database-url postgresql://postgres@127.0.0.1:5432/bench_sla
    python -m bench.bench_sla explain --database-url ...   (plans of the dashboard's and the scan's queries)

`seed` writes 1,000,000 tickets (200,000 open, spread over the last 365 days, 12 groups, 60 agents,
4 priorities, 6 channels), one customer message on each open ticket, SLA columns as the engine keeps
them (open: ok 60%, warning 10%, breached 20%, paused 10%), 1,600,000 outcome rows for the closed
tickets and 90,000 breaches over the year; two policies on a Madrid calendar of two windows a day
with public and own holidays. Rows go in through SQLAlchemy Core in batches, not through the
services (which would take hours); the measurements run the real services on that data.

`db` times (results in bench/results/sla-<label>.json):
- dashboard: `sla_dashboard.board()` + `series()` (every figure the page shows), and the panels
  and chart data through the Flask test client as a signed-in supervisor;
- scan: `sla_scan.scan()` with nothing due, and with 1,000 / 5,000 open tickets due for a check
  (each recomputed from its stored timeline, each crossing inserted and acted on);
- recompute: the background recomputation's throughput over a slice of the open tickets.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, datetime, timedelta

from bench import common

NOW = datetime(2026, 11, 23, 12, 0)
TICKETS, OPEN = 1_000_000, 200_000
GROUPS, AGENTS, CUSTOMERS = 12, 60, 100_000
CHANNELS = ("email", "web", "webchat", "telegram", "whatsapp", "api")
OPEN_STATUSES = ("new", "open", "pending", "on_hold")
STATE_WEIGHTS = (("ok", 60), ("warning", 10), ("breached", 20), ("paused", 10))
BATCH = 20_000


# -- calendar math --------------------------------------------------------------------------------


def calendar_bench(calls: int = 200_000) -> dict:
    """Calls per second of business_time_between and add_business_time on a two-window calendar
    with regional and own holidays, spans up to a year (tables warm, as in a running server)."""
    from sla import BusinessCalendar

    own = [date(2026, 8, 14), date(2026, 12, 24), date(2027, 1, 2)]
    calendar = BusinessCalendar.from_hours("Europe/Madrid", {"mon-fri": "09:00-14:00, 15:00-18:00"},
                                           country="ES", subdivision="MD", holidays=own,
                                           half_days={date(2026, 12, 31): "09:00-13:00"})
    rng = random.Random(5)
    base = datetime(2026, 1, 1).timestamp()
    starts = [datetime.fromtimestamp(base + rng.uniform(0, 365 * 86400)).astimezone() for _ in range(calls)]
    spans = [timedelta(seconds=rng.uniform(0, 365 * 86400)) for _ in range(calls)]
    goals = [timedelta(seconds=rng.uniform(0, 2000 * 3600)) for _ in range(calls)]  # up to ~a business year
    cold = time.perf_counter()
    calendar.business_time_between(starts[0], starts[0] + timedelta(days=730))
    cold_ms = (time.perf_counter() - cold) * 1000
    results = {"cold_first_call_ms": round(cold_ms, 2), "calls": calls}
    for name, run in (("business_time_between", lambda i: calendar.business_time_between(starts[i], starts[i] + spans[i])),
                      ("add_business_time", lambda i: calendar.add_business_time(starts[i], goals[i]))):
        start = time.perf_counter()
        for i in range(calls):
            run(i)
        results[f"{name}_per_s"] = round(calls / (time.perf_counter() - start))
    return results


# -- seeding --------------------------------------------------------------------------------------


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    name = url.rsplit("/", 1)[-1].split("?", 1)[0]
    if name in ("test", "postgres"):
        raise SystemExit(f"refusing to reset the database {name!r}: use a database of its own")
    admin = create_engine(common.engine_url(url.rsplit("/", 1)[0] + "/postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def _insert(table, rows: list[dict]) -> None:
    from helpdesk.extensions import db

    for first in range(0, len(rows), BATCH):
        db.session.execute(table.insert(), rows[first:first + BATCH])
        db.session.commit()


def _settings() -> dict[int, list[int]]:
    from helpdesk.services import staff
    from helpdesk.services.sla import config as sla_config

    groups = [staff.get_or_create_group(f"Team {n:02d}") for n in range(GROUPS)]
    from helpdesk.extensions import db

    db.session.commit()
    members: dict[int, list[int]] = {g.id: [] for g in groups}
    for n in range(AGENTS):
        role = "supervisor" if n < 3 else "agent"
        user = staff.create_user(email=f"agent{n:02d}@bench.example", name=f"Agent {n:02d}", role=role,
                                 password=common.PASSWORD, groups=[groups[n % GROUPS].name])
        members[groups[n % GROUPS].id].append(user.id)
    office = sla_config.save_calendar(None, name="Madrid", timezone="Europe/Madrid", country="ES", subdivision="MD",
                                      hours={"mon-fri": "09:00-14:00, 15:00-18:00"}, holidays=["2026-08-14"])
    business = {"business_time": True, "pause_statuses": ["pending", "on_hold"]}
    sla_config.save_policy(None, name="Urgent", position=1, calendar_id=office.id, conditions={"priorities": ["urgent"]},
                           targets=[{"kind": "first_response", "goal_seconds": 3600} | business,
                                    {"kind": "resolution", "goal_seconds": 4 * 3600} | business])
    sla_config.save_policy(None, name="Standard", position=2, calendar_id=office.id,
                           targets=[{"kind": "first_response", "goal_seconds": 4 * 3600} | business,
                                    {"kind": "next_response", "goal_seconds": 8 * 3600} | business,
                                    {"kind": "resolution", "goal_seconds": 24 * 3600} | business])
    return members


def _ticket_rows(rng: random.Random, members: dict[int, list[int]], first_id: int, count: int,
                 open_share: float) -> list[dict]:
    rows = []
    states, weights = zip(*STATE_WEIGHTS, strict=True)
    for offset in range(count):
        ticket_id = first_id + offset
        is_open = rng.random() < open_share
        age = timedelta(days=rng.uniform(0, 14 if is_open else 365))
        created = NOW - age
        group_id = rng.choice(list(members))  # assignees are members of the ticket's group, as the app requires
        row = {"id": ticket_id, "subject": f"Ticket {ticket_id}", "priority": rng.choices((0, 1, 2, 3), (2, 6, 2, 1))[0],
               "channel": rng.choice(CHANNELS), "source": "bench", "customer_id": rng.randint(1, CUSTOMERS),
               "group_id": group_id, "assignee_id": rng.choice(members[group_id]) if rng.random() < .7 else None,
               "created_at": created, "updated_at": created + age / 2, "sla_policy_id": 2, "sla_state": None,
               "sla_due_at": None, "resolution_due_at": None, "sla_check_at": None, "solved_at": None,
               "closed_at": None, "first_response_at": None}
        if is_open:
            state = rng.choices(states, weights)[0]
            due = NOW + timedelta(hours=rng.uniform(-100, -0.1) if state == "breached" else rng.uniform(0.1, 60))
            row |= {"status": rng.choice(OPEN_STATUSES), "sla_state": state,
                    "sla_due_at": None if state == "paused" else due, "resolution_due_at": due,
                    "sla_check_at": None if state in ("paused", "breached") else due - timedelta(minutes=30)}
        else:
            solved = created + timedelta(hours=rng.uniform(0.5, 72))
            row |= {"status": "closed", "solved_at": solved, "closed_at": solved, "first_response_at": created}
        rows.append(row)
    return rows


def seed(url: str, reset: bool) -> dict:
    """Create the schema and the data described in the module docstring; returns counts and timings."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from helpdesk.extensions import db
    from helpdesk.models import Customer, Message, SlaCrossing, SlaOutcome, Ticket

    if reset and common.backend(url) == "postgresql":
        _reset_postgres(url)
    app = common.make_app(url)
    started = time.perf_counter()
    rng = random.Random(23)
    with app.app_context():
        upgrade()
        members = _settings()
        _insert(Customer.__table__, [{"id": n, "name": f"Customer {n}", "tier": "vip" if n % 50 == 0 else "standard",
                                      "created_at": NOW, "updated_at": NOW} for n in range(1, CUSTOMERS + 1)])
        opened: list[tuple[int, datetime]] = []
        for first in range(1, TICKETS + 1, 100_000):
            rows = _ticket_rows(rng, members, first, 100_000, OPEN / TICKETS)
            _insert(Ticket.__table__, rows)
            opened += [(r["id"], r["created_at"]) for r in rows if r["status"] != "closed"]
            closed = [r for r in rows if r["status"] == "closed"]
            _insert(SlaOutcome.__table__, [
                {"ticket_id": r["id"], "target": target, "policy_id": 2, "due_at": at, "stopped_at": at,
                 "counted_on": at.date(), "met": rng.random() < .9}
                for r in closed for target, at in (("first_response", r["created_at"] + timedelta(hours=1)),
                                                   ("resolution", r["solved_at"]))])
            _insert(SlaCrossing.__table__, [
                {"ticket_id": r["id"], "target": "resolution", "kind": "breached", "started_at": r["created_at"],
                 "due_at": r["solved_at"], "policy_id": 2, "fired_at": r["solved_at"]}
                for r in closed if rng.random() < 90_000 / (TICKETS - OPEN)])
        _insert(Message.__table__, [
            {"ticket_id": tid, "kind": "inbound", "channel": "email", "source": "bench", "body_text": "Help",
             "is_automated": False, "created_at": at, "delivery_attempts": 0} for tid, at in opened])
        if common.backend(url) == "postgresql":
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        else:
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        counts = {"tickets": db.session.scalar(select(func.count()).select_from(Ticket)),
                  "open": db.session.scalar(select(func.count()).select_from(Ticket).where(Ticket.status != "closed")),
                  "outcomes": db.session.scalar(select(func.count()).select_from(SlaOutcome)),
                  "breaches": db.session.scalar(select(func.count()).select_from(SlaCrossing))}
    return counts | {"seconds": round(time.perf_counter() - started, 1)}


# -- measurements on the seeded database ----------------------------------------------------------


def _clock(monkeypatch_modules: tuple[str, ...], now: datetime) -> None:
    import importlib

    for name in monkeypatch_modules:
        importlib.import_module(name).utcnow = lambda: now


def _dashboard(app, runs: int) -> dict:
    from sqlalchemy import select

    from helpdesk.extensions import db
    from helpdesk.models import User
    from helpdesk.services.sla import dashboard as sla_dashboard

    with app.app_context():
        online = list(db.session.scalars(select(User.id).limit(40)))
        service = common.time_calls(lambda i: (sla_dashboard.board(online), sla_dashboard.series(), db.session.rollback()),
                                    runs)
    client = app.test_client()
    with app.app_context():
        response = client.post("/login", data={"email": "agent00@bench.example", "password": common.PASSWORD})
        assert response.status_code == 302, response.status_code

        def page(i: int) -> None:
            for path in ("/dashboard?fragment=panels", "/dashboard/series.json"):
                assert client.get(path).status_code == 200

        http = common.time_calls(page, runs)
    return {"service_board_and_series": service, "inprocess_panels_and_series": http}


def _scan(app, due_counts: tuple[int, ...]) -> dict:
    from sqlalchemy import select, update

    from helpdesk.extensions import db
    from helpdesk.models import Ticket
    from helpdesk.services.sla import scan as sla_scan

    results = {}
    with app.app_context():
        start = time.perf_counter()
        idle = sla_scan.scan(NOW)
        # The seed leaves some tickets due at NOW (their warning or due time falls in the last half hour).
        results["as_seeded"] = {"ms": round((time.perf_counter() - start) * 1000, 1), "checked": idle.checked,
                                "crossings_acted_on": len(idle.fired)}
        start = time.perf_counter()
        sla_scan.scan(NOW)
        results["nothing_due"] = {"ms": round((time.perf_counter() - start) * 1000, 1)}
        candidates = list(db.session.scalars(select(Ticket.id).where(Ticket.sla_state.in_(("ok", "warning")))
                                             .order_by(Ticket.id)))
        rng = random.Random(7)
        for count in due_counts:
            chosen = rng.sample(candidates, count)
            for first in range(0, count, 1000):
                db.session.execute(update(Ticket).where(Ticket.id.in_(chosen[first:first + 1000]))
                                   .values(sla_check_at=NOW - timedelta(minutes=1)))
            db.session.commit()
            start = time.perf_counter()
            report = sla_scan.scan(NOW)
            results[f"{count}_due"] = {"ms": round((time.perf_counter() - start) * 1000, 1), "checked": report.checked,
                                       "crossings_acted_on": len(report.fired)}
            start = time.perf_counter()
            again = sla_scan.scan(NOW)
            results[f"{count}_due_second_scheduler"] = {"ms": round((time.perf_counter() - start) * 1000, 1),
                                                        "crossings_acted_on": len(again.fired)}
    return results


def _recompute(app, tickets: int) -> dict:
    from sqlalchemy import select

    from helpdesk.extensions import db
    from helpdesk.models import Ticket
    from helpdesk.services.sla import clocks as sla_clocks

    with app.app_context():
        ids = list(db.session.scalars(select(Ticket.id).where(Ticket.status != "closed").order_by(Ticket.id)
                                      .limit(tickets)))
        start = time.perf_counter()
        for first in range(0, len(ids), 500):
            sla_clocks.refresh(ids[first:first + 500], NOW)
        seconds = time.perf_counter() - start
    return {"tickets": len(ids), "seconds": round(seconds, 2), "tickets_per_s": round(len(ids) / seconds),
            "projected_200k_open_s": round(OPEN / (len(ids) / seconds), 1)}


def explain(url: str) -> dict:
    """The plan of every statement one dashboard refresh and one idle scan run (captured as they run)."""
    from sqlalchemy import event, select

    from helpdesk.extensions import db
    from helpdesk.models import User
    from helpdesk.services.sla import dashboard as sla_dashboard
    from helpdesk.services.sla import scan as sla_scan

    _clock(("helpdesk.services.sla.dashboard", "helpdesk.services.sla.scan"), NOW)
    app = common.make_app(url)
    captured: list[tuple[str, object]] = []
    plans = {}
    with app.app_context():
        online = list(db.session.scalars(select(User.id).limit(40)))

        def capture(conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip().upper().startswith("SELECT"):
                captured.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", capture)
        sla_dashboard.board(online)
        sla_dashboard.series()
        sla_scan.scan(NOW - timedelta(days=30))
        event.remove(db.engine, "before_cursor_execute", capture)
        prefix = "EXPLAIN QUERY PLAN " if common.backend(url) == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            for statement, parameters in captured:
                cursor.execute(prefix + statement, parameters)
                plans[" ".join(statement.split())[:300]] = [" | ".join(map(str, row)) for row in cursor.fetchall()]
        finally:
            raw.close()
    return {"plans": plans}


def db_bench(url: str, runs: int) -> dict:
    """Dashboard latency, scan and recompute timings on a seeded database (it is changed: re-seed to repeat)."""
    _clock(("helpdesk.services.sla.dashboard", "helpdesk.services.sla.scan", "helpdesk.services.sla.clocks",
            "helpdesk.services.sla.config"), NOW)
    app = common.make_app(url, WTF_CSRF_ENABLED=False)
    return {"dashboard": _dashboard(app, runs), "scan": _scan(app, (1000, 5000)), "recompute": _recompute(app, 5000)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=("calendar", "seed", "db", "explain"))
    parser.add_argument("--database-url")
    parser.add_argument("--reset", action="store_true", help="PostgreSQL: drop and create the database first")
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    if args.what == "calendar":
        result = calendar_bench()
        name = "sla-calendar"
    elif args.what == "seed":
        result = seed(args.database_url, args.reset)
        name = f"sla-seed-{common.label(args.database_url)}"
    elif args.what == "explain":
        result = explain(args.database_url)
        name = f"sla-explain-{common.label(args.database_url)}"
    else:
        result = db_bench(args.database_url, args.runs)
        name = f"sla-{common.label(args.database_url)}"
    result["machine"] = common.machine(args.database_url)
    print(common.save(name, result).read_text())


if __name__ == "__main__":
    main()
