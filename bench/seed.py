"""Create, migrate and fill a benchmark database fast.

    python -m bench.seed --database-url sqlite:///bench/results/bench.sqlite3 --tickets 200000 --messages 1000000
    python -m bench.seed --database-url postgresql://postgres@127.0.0.1:5432/bench --tickets 200000 --messages 1000000

Staff are created through helpdesk.services.staff (so the console login works, password
`bench-password`); everything else is written with bulk inserts: executemany on SQLite, COPY on
PostgreSQL, with foreign-key checks off during the load (the generator writes consistent ids).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, make_url, select, text

from bench import common  # first of bench: it points helpdesk's instance folder at bench/results
from bench.seed_data import COLUMNS, Staff, TicketWriter, World
from bench.seed_text import FIRST, LAST

# group name -> number of agents whose first group it is; a few agents also work in a second group.
TEAMS = {"Support": 16, "Billing": 7, "Technical": 8, "Sales": 5}
SECOND_GROUP = {"Support": "Technical", "Billing": "Sales"}
PROTECTED_DATABASES = {"test", "postgres", "template0", "template1"}


def staff_plan() -> list[tuple[str, str, str, list[str]]]:
    """(email, name, role, groups) for every staff user. agent01 works in Support and Technical."""
    people, n = [], 0
    for team, size in TEAMS.items():
        for i in range(size):
            n += 1
            groups = [team]
            if i % 4 == 0 and team in SECOND_GROUP:
                groups.append(SECOND_GROUP[team])
            people.append((f"agent{n:02d}@bench.example", f"{FIRST[n % len(FIRST)]} {LAST[n % len(LAST)]}", "agent", groups))
    people.append(("supervisor01@bench.example", "Sam Supervisor", "supervisor", ["Support", "Billing"]))
    people.append(("supervisor02@bench.example", "Sia Supervisor", "supervisor", ["Technical", "Sales"]))
    people.append(("admin01@bench.example", "Alex Admin", "admin", []))
    return people


def prepare_database(url: str, reset: bool) -> None:
    """Make sure an empty database exists at `url`; with `reset`, drop what is there first."""
    if common.backend(url) == "sqlite":
        path = Path(make_url(common.engine_url(url)).database)
        if reset:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    target = make_url(common.engine_url(url))
    name = target.database
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
            if exists and reset:
                if name in PROTECTED_DATABASES:
                    sys.exit(f"refusing to drop database {name!r}: use a database of its own, e.g. /bench")
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
                exists = False
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


def create_staff(app) -> tuple[dict[str, int], dict[str, list[tuple[int, str]]]]:
    """Create the groups, staff users and priority rules; return group ids by name and agents by group."""
    from helpdesk.extensions import db
    from helpdesk.models import Group, PriorityRule
    from helpdesk.models.tickets import PRIORITIES
    from helpdesk.services import staff

    with app.app_context():
        staff.get_or_create_group("Support", is_default=True)
        for name in TEAMS:
            staff.get_or_create_group(name)
        db.session.commit()
        agents: dict[str, list[tuple[int, str]]] = {name: [] for name in TEAMS}
        for email, name, role, groups in staff_plan():
            user = staff.create_user(email=email, name=name, role=role, password=common.PASSWORD, groups=groups)
            if role == "agent":
                for group in groups:
                    agents[group].append((user.id, user.name))
        group_ids = {g.name: g.id for g in db.session.scalars(select(Group))}
        # The rules every new ticket is triaged by, as a desk would have them.
        db.session.add_all([
            PriorityRule(position=1, name="Outages are urgent", conditions={"keywords": ["outage", "down", "urgent"]},
                         set_priority=PRIORITIES["urgent"]),
            PriorityRule(position=2, name="Invoices go to Billing", conditions={"keywords": ["invoice", "refund", "charged"]},
                         set_group_id=group_ids["Billing"]),
            PriorityRule(position=3, name="VIPs are high", conditions={"tier": ["vip"]}, set_priority=PRIORITIES["high"],
                         stop=False),
        ])
        db.session.commit()
        db.session.remove()
    return group_ids, agents


class SqliteLoader:
    """executemany in one transaction per batch, foreign keys and fsync off for the load."""

    def __init__(self, engine) -> None:
        self.raw = engine.raw_connection()
        self.raw.driver_connection.isolation_level = None  # we say BEGIN and COMMIT ourselves
        self.cursor = self.raw.cursor()
        for pragma in ("foreign_keys=OFF", "synchronous=OFF", "cache_size=-1048576", "temp_store=MEMORY"):
            self.cursor.execute(f"PRAGMA {pragma}")

    def load(self, table: str, rows: list[tuple]) -> None:
        cols = COLUMNS[table]
        stamps = [i for i, c in enumerate(cols) if c.endswith("_at")]
        if stamps:  # the text form SQLAlchemy writes and compares against: always with microseconds
            rows = [tuple(v.isoformat(" ", "microseconds") if i in stamps and v is not None else v
                          for i, v in enumerate(row)) for row in rows]
        self.cursor.execute("BEGIN")
        self.cursor.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows)
        self.cursor.execute("COMMIT")

    def finish(self) -> None:
        self.cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.raw.close()


class PostgresLoader:
    """COPY FROM STDIN per batch; foreign-key triggers off for the load (session_replication_role)."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.raw = engine.raw_connection()
        self.conn = self.raw.driver_connection
        self.conn.execute("SET session_replication_role = replica")

    def load(self, table: str, rows: list[tuple]) -> None:
        with self.conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(COLUMNS[table])}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        self.conn.commit()

    def finish(self) -> None:
        for table in ("organizations", "customers", "identities", "tickets", "messages", "ticket_events"):
            self.conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        self.conn.execute("SET session_replication_role = DEFAULT")
        self.conn.commit()
        self.raw.close()
        # What autovacuum would have done by the time a desk has a year of tickets: statistics and
        # a visibility map (index-only scans).
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))


def seed(url: str, *, tickets: int, messages: int, customers: int, seed_value: int, batch: int, reset: bool) -> dict:
    """Create, migrate and fill the database at `url`; return counts and timings."""
    from flask_migrate import upgrade

    from helpdesk.extensions import db

    started = time.perf_counter()
    prepare_database(url, reset)
    app = common.make_app(url)
    with app.app_context():
        upgrade()
        if db.session.scalar(text("SELECT count(*) FROM tickets")):
            sys.exit(f"{url} already has tickets: pass --reset to start again")
        db.session.remove()
    group_ids, agents = create_staff(app)
    timings = {"migrate_and_staff_s": round(time.perf_counter() - started, 1)}

    now = datetime.now(UTC).replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
    world = World(seed_value, now, customers)
    engine = create_engine(common.engine_url(url))
    loader = SqliteLoader(engine) if common.backend(url) == "sqlite" else PostgresLoader(engine)
    step = time.perf_counter()
    organizations = world.organizations()
    customer_rows, identity_rows = world.customers(len(organizations))
    for table, rows in (("organizations", organizations), ("customers", customer_rows), ("identities", identity_rows)):
        loader.load(table, rows)
    timings["customers_s"] = round(time.perf_counter() - step, 1)
    step = time.perf_counter()
    plans = world.plans(tickets)
    counts = world.message_counts(plans, messages)
    writer = TicketWriter(world, Staff(group_ids, agents))
    totals = dict.fromkeys(("tickets", "messages", "ticket_events", "ticket_tags"), 0)
    for rows_by_table in writer.batches(plans, counts, batch):
        for table, rows in rows_by_table.items():
            loader.load(table, rows)
            totals[table] += len(rows)
        print(f"  {totals['tickets']:>8} tickets {totals['messages']:>9} messages "
              f"({time.perf_counter() - step:.0f} s)", file=sys.stderr)
    timings["tickets_s"] = round(time.perf_counter() - step, 1)
    step = time.perf_counter()
    loader.finish()
    engine.dispose()
    timings["finish_s"] = round(time.perf_counter() - step, 1)
    step = time.perf_counter()
    with app.app_context():  # rows were loaded around the ingest path: index them as `helpdesk search reindex` does
        from helpdesk.services.search import indexing

        indexing.rebuild(batch=2000)
        db.session.remove()
    if url.startswith("postgres"):
        # The search tables were empty at the VACUUM ANALYZE above: their statistics (which the
        # search reads to pick its plan) as autovacuum would have them after the rebuild.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE ticket_search_docs, ticket_search_terms"))
    timings["search_index_s"] = round(time.perf_counter() - step, 1)
    timings["total_s"] = round(time.perf_counter() - started, 1)
    open_count = sum(1 for p in plans if p.status in ("new", "open", "pending", "on_hold"))
    return {"url": url, "seed": seed_value, "now": now, "customers": len(customer_rows),
            "identities": len(identity_rows), "open_tickets": open_count, **totals, "timings": timings}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="sqlite:///path or postgresql://user@host/db")
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, help="default: 30%% of --tickets")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--batch", type=int, default=50_000, help="messages per insert batch")
    parser.add_argument("--reset", action="store_true", help="drop the database (or file) first")
    args = parser.parse_args(argv)
    result = seed(args.database_url, tickets=args.tickets, messages=args.messages,
                  customers=args.customers or max(10, int(args.tickets * 0.3)), seed_value=args.seed,
                  batch=args.batch, reset=args.reset)
    path = common.save(f"seed-{common.label(args.database_url)}", result | {"machine": common.machine(args.database_url)})
    print(f"seeded {result['tickets']} tickets, {result['messages']} messages, {result['ticket_events']} events, "
          f"{result['customers']} customers ({result['open_tickets']} open) in {result['timings']['total_s']} s -> {path}")


if __name__ == "__main__":
    main()
