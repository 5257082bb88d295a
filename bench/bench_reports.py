"""Agent performance reports at scale: the agent table over 30 days and over a year.

    python -m bench.bench_reports --database-url sqlite:///bench/results/reports.sqlite3 --reset
    python -m bench.bench_reports --database-url postgresql://postgres@127.0.0.1:5432/reports_bench --reset

Seeds (with --reset) a year of history straight into the tables, deterministic: 200 agents in four
groups, 1,000,000 tickets, 5,000,000 messages (the customer's message, the first reply, two more
exchanges), an assignment and a solve event per ticket (5% reopened and solved again), SLA
outcomes as report facts, CSAT surveys for 30% of solves (40% answered) and NPS for 10%. The
report facts are written by the same generator, with business time through a real `sla` calendar
(Mon-Fri 09:00-17:00 UTC) as `services.reports.facts` computes it; the rollups are then built by
`report_facts.roll_up_all` itself (timed). Then `reports.table("agent", ...)` is timed for the last 30
days and for the whole year (and for the year filtered by one group), several runs each.
`--rebuild-sample N` also times `report_facts.refresh` over N tickets (facts per second).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta

from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text

from bench import common
from bench.seed import PostgresLoader, SqliteLoader, prepare_database
from bench.seed_data import COLUMNS

AGENTS, GROUPS, CHANNELS = 200, ("Support", "Billing", "Technical", "Sales"), ("email", "web", "telegram", "whatsapp")
MY_COLUMNS = {
    "tickets": ("id", "subject", "status", "priority", "channel", "source", "customer_id", "group_id", "assignee_id",
                "created_at", "updated_at", "first_response_at", "solved_at"),
    "messages": ("id", "ticket_id", "kind", "channel", "author_id", "body_text", "is_automated", "created_at",
                 "delivery_attempts"),
    "ticket_events": ("id", "ticket_id", "actor_id", "kind", "data", "created_at"),
    "surveys": ("id", "kind", "ticket_id", "customer_id", "agent_id", "group_id", "channel", "priority", "solved_at",
                "state", "scheduled_for", "sent_at", "responded_at", "score", "created_at"),
    "report_facts": ("id", "ticket_id", "kind", "key", "agent_id", "group_id", "channel", "priority", "at", "day",
                     "seconds", "business_seconds", "n", "met"),
}


def _staff(app) -> tuple[list[int], list[int], dict[int, int]]:
    """200 agents (a quarter per group) and one supervisor, inserted directly; (group ids, agent ids, group of agent)."""
    from helpdesk.extensions import db
    from helpdesk.models import Customer, Group, User, group_members

    with app.app_context():
        groups = [Group(name=name, is_default=name == "Support") for name in GROUPS]
        db.session.add_all(groups)
        agents = [User(email=f"agent{i:03d}@bench.example", name=f"Agent {i:03d}", role="agent",
                       session_token=f"bench-agent-{i}") for i in range(1, AGENTS + 1)]
        db.session.add_all([*agents, User(email="boss@bench.example", name="Boss", role="supervisor",
                                          session_token="bench-boss")])
        db.session.add(Customer(id=1, name="Bench customer"))
        db.session.flush()
        group_of = {a.id: groups[i % len(groups)].id for i, a in enumerate(agents)}
        db.session.execute(group_members.insert(), [{"user_id": a, "group_id": g} for a, g in group_of.items()])
        db.session.commit()
        return [g.id for g in groups], list(group_of), group_of


class Generator:
    """One ticket's rows at a time, all tables consistent with each other."""

    def __init__(self, seed: int, first_day: datetime, tickets: int, agents: list[int], group_of: dict[int, int]):
        import sla

        self.rnd, self.first_day, self.tickets = random.Random(seed), first_day, tickets
        self.agents, self.group_of = agents, group_of
        self.calendar = sla.BusinessCalendar.from_hours("UTC", {"mon-fri": "09:00-17:00"})
        self.ids = dict.fromkeys(("messages", "ticket_events", "surveys", "report_facts"), 0)

    def _id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def _business(self, start: datetime, end: datetime) -> int:
        return int(self.calendar.business_time_between(start.replace(tzinfo=UTC), end.replace(tzinfo=UTC)).total_seconds())

    def _fact(self, rows, ticket, kind, key, agent, at, seconds=None, business=None, n=1, met=None):
        rows["report_facts"].append((self._id("report_facts"), ticket[0], kind, key, agent, ticket[7], ticket[4],
                                     ticket[3], at, at.date(), seconds, business, n, met))

    def ticket(self, number: int, rows: dict) -> None:
        r = self.rnd
        created = self.first_day + timedelta(seconds=int(number * 365 * 86400 / self.tickets) + r.randrange(600))
        agent, other = r.choice(self.agents), r.choice(self.agents)
        group, channel, priority = self.group_of[agent], r.choice(CHANNELS), r.choices((0, 1, 2, 3), (2, 6, 2, 1))[0]
        replied = created + timedelta(seconds=int(r.expovariate(1 / 5400)) + 30)
        solved = replied + timedelta(seconds=int(r.expovariate(1 / 86400)) + 60)
        row = (number, f"Bench ticket {number}", "solved", priority, channel, "bench", 1, group, agent,
               created, solved, replied, solved)
        rows["tickets"].append(row)
        times = [created, replied, replied + timedelta(minutes=40), replied + timedelta(hours=2), solved]
        kinds = ["inbound", "outbound", "inbound", "outbound", "outbound"]
        authors = [None, agent, None, other if r.random() < 0.2 else agent, agent]
        for kind, author, at in zip(kinds, authors, times, strict=True):
            rows["messages"].append((self._id("messages"), number, kind, channel, author, "bench text", False, at, 0))
        assigned = created + timedelta(seconds=20)
        rows["ticket_events"].append((self._id("ticket_events"), number, None, "changed",
                                      f'{{"assignee_id": [null, {agent}]}}', assigned))
        rows["ticket_events"].append((self._id("ticket_events"), number, agent, "changed",
                                      '{"status": ["open", "solved"]}', solved))
        self._fact(rows, row, "assigned", self.ids["ticket_events"] - 1, agent, assigned)
        fr, frb = int((replied - created).total_seconds()), self._business(created, replied)
        self._fact(rows, row, "first_response", 0, agent, replied, fr, frb)
        helpers = {a: sum(1 for x in authors if x == a) for a in set(authors) - {None}}
        for who, count in helpers.items():
            self._fact(rows, row, "replied", who, who, replied, n=count)
        self._fact(rows, row, "solved", 0, agent, solved, int((solved - created).total_seconds()),
                   self._business(created, solved))
        if r.random() < 0.05:
            self._fact(rows, row, "reopened", self.ids["ticket_events"], agent, solved + timedelta(hours=3))
        self._fact(rows, row, "sla_first_response", 0, agent, replied, met=fr < 4 * 3600)
        self._fact(rows, row, "sla_resolution", 1, agent, solved, met=(solved - created) < timedelta(days=1))
        for kind, share, scale in (("csat", 0.3, (1, 5)), ("nps", 0.1, (0, 10))):
            if r.random() < share:
                sent = solved + timedelta(hours=1)
                score = r.randint(*scale) if r.random() < 0.4 else None
                rows["surveys"].append((self._id("surveys"), kind, number, 1, agent, group, channel, priority, solved,
                                        "answered" if score is not None else "sent", sent, sent,
                                        sent + timedelta(hours=2) if score is not None else None, score, sent))


def seed(url: str, tickets: int, batch: int = 20_000) -> dict:
    """Create, migrate and fill the database; build the rollups. Returns counts and timings."""
    from helpdesk.extensions import db
    from helpdesk.services.reports import facts as report_facts

    prepare_database(url, reset=True)
    app = common.make_app(url)
    with app.app_context():
        upgrade()
    _, agents, group_of = _staff(app)
    COLUMNS.update(MY_COLUMNS)  # the loaders write the columns named here
    first_day = datetime.now(UTC).replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0) - timedelta(days=365)
    generator = Generator(20261123, first_day, tickets, agents, group_of)
    engine = create_engine(common.engine_url(url))
    loader = SqliteLoader(engine) if common.backend(url) == "sqlite" else PostgresLoader(engine)
    started = time.perf_counter()
    for start in range(1, tickets + 1, batch):
        rows: dict[str, list] = {table: [] for table in MY_COLUMNS}
        for number in range(start, min(start + batch, tickets + 1)):
            generator.ticket(number, rows)
        for table, table_rows in rows.items():
            if table_rows:
                loader.load(table, table_rows)
        print(f"  {min(start + batch - 1, tickets):>8} tickets ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    if common.backend(url) == "postgresql":
        for table in ("surveys", "report_facts", "users", "groups"):
            loader.conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    loader.finish()
    engine.dispose()
    timings = {"load_s": round(time.perf_counter() - started, 1)}
    with app.app_context():
        step = time.perf_counter()
        report_facts.roll_up_all()
        db.session.commit()
        timings["rollup_s"] = round(time.perf_counter() - step, 1)
        if common.backend(url) == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE report_daily"))
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        counts = {t: db.session.scalar(text(f"SELECT count(*) FROM {t}")) for t in (*MY_COLUMNS, "report_daily")}
    return {"counts": counts, "timings": timings}


def measure(url: str, runs: int, rebuild_sample: int) -> dict:
    """Time the agent table (and a refresh sample) on the seeded database."""
    from helpdesk.extensions import db
    from helpdesk.models import Group, Ticket
    from helpdesk.services.reports import facts as report_facts
    from helpdesk.services.reports import tables as reports
    from helpdesk.services.reports.tables import ReportFilter

    app = common.make_app(url)
    out: dict = {}
    with app.app_context():
        today = db.session.scalar(select(func.max(Ticket.created_at))).date()
        group_id = db.session.scalar(select(Group.id).where(Group.name == "Support"))
        cases = {"agents_30_days": ReportFilter(today - timedelta(days=29), today),
                 "agents_year": ReportFilter(today - timedelta(days=364), today),
                 "agents_year_one_group": ReportFilter(today - timedelta(days=364), today, group_id=group_id)}
        for name, f in cases.items():
            rows = reports.table("agent", f)
            out[name] = common.time_calls(lambda _i, f=f: reports.table("agent", f), runs, warmup=1)
            out[name]["rows"] = len(rows)
            db.session.rollback()
            print(f"  {name}: {out[name]}", file=sys.stderr)
        if rebuild_sample:
            ids = list(db.session.scalars(select(Ticket.id).order_by(Ticket.id.desc()).limit(rebuild_sample)))
            step = time.perf_counter()
            for start in range(0, len(ids), 500):
                report_facts.refresh(ids[start:start + 500])
            seconds = time.perf_counter() - step
            out["refresh_sample"] = {"tickets": len(ids), "seconds": round(seconds, 2),
                                     "tickets_per_s": round(len(ids) / seconds)}
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--rebuild-sample", type=int, default=5000, help="tickets to refresh through the service")
    parser.add_argument("--reset", action="store_true", help="seed again (drops the database or file first)")
    args = parser.parse_args(argv)
    result: dict = {"date": date.today().isoformat()}
    if args.reset:
        result["seed"] = seed(args.database_url, args.tickets)
        print(f"seeded: {result['seed']}", file=sys.stderr)
    result["machine"] = common.machine(args.database_url)  # after seeding: the database exists now
    result["timings"] = measure(args.database_url, args.runs, args.rebuild_sample)
    path = common.save(f"reports-{common.label(args.database_url)}", result)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
