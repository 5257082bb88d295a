"""Print the query plans of the ticket lists the console and the API run, on a seeded database.

    python -m bench.explain --database-url sqlite:///bench/results/bench.sqlite3
    python -m bench.explain --database-url postgresql://postgres@127.0.0.1:5432/bench

The statements are captured from tickets.list_page itself, so the plan is that of the real query.
SQLite shows EXPLAIN QUERY PLAN; PostgreSQL EXPLAIN (ANALYZE, BUFFERS) with timings.
"""

from __future__ import annotations

import argparse

from sqlalchemy import event, select

from bench import common

CASES = (  # (who, view, deep page?)
    (common.AGENT_EMAIL, "open", False),
    (common.AGENT_EMAIL, "open", True),
    (common.SUPERVISOR_EMAIL, "open", False),
    (common.AGENT_EMAIL, "all", False),
    (common.SUPERVISOR_EMAIL, "all", False),
)


def _capture(engine, call) -> tuple[str, object]:
    """Run `call()` and return the first statement it sent with its parameters."""
    seen: list = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return next((s, p) for s, p in seen if "FROM tickets" in s and "ORDER BY" in s)


def explain(url: str) -> None:
    """Print each case's SQL (abridged) and its plan."""
    from helpdesk.extensions import db
    from helpdesk.models import User
    from helpdesk.services import tickets
    from helpdesk.services.tickets import TicketFilter

    app = common.make_app(url)
    with app.app_context():
        sqlite = db.engine.dialect.name == "sqlite"
        for email, view, deep in CASES:
            user = db.session.scalar(select(User).where(User.email == email))
            cursor = None
            if deep:
                for _ in range(20):
                    cursor = tickets.list_page(user, TicketFilter(view=view), cursor=cursor).next_cursor
            statement, params = _capture(db.engine, lambda u=user, c=cursor, v=view: tickets.list_page(u, TicketFilter(view=v), cursor=c))
            prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "
            raw = db.session.connection().exec_driver_sql(prefix + statement, params)
            print(f"\n== {email.split('@')[0]} view={view}{' page 21' if deep else ''} (groups {user.group_ids})")
            print("   " + " ".join(statement.split())[:300] + ("..." if len(statement) > 300 else ""))
            for row in raw:
                print("   ", row[-1] if sqlite else row[0])
            db.session.rollback()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    explain(parser.parse_args(argv).database_url)


if __name__ == "__main__":
    main()
