"""Erasure and export benchmark: the time to export and to erase customers on a seeded database
(the search index built), and what each step of an erasure costs.

    python -m bench.seed --database-url sqlite:///bench/results/bench.sqlite3 --tickets 20000 --messages 100000
    python -m bench.bench_erasure --database-url sqlite:///bench/results/bench.sqlite3 --customers 5

Each run erases real customers of the copy it is given (irreversibly): seed a database for it.
Timings: export (zip to memory), the erasure's transaction, the index compaction after it (FTS5
`optimize` + WAL checkpoint on SQLite, VACUUM of the touched tables on PostgreSQL).
"""

from __future__ import annotations

import argparse
import io
import time

from sqlalchemy import func, select

from bench import common


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--customers", type=int, default=5, help="how many customers (those with most tickets) to erase")
    args = parser.parse_args()
    app = common.make_app(args.database_url)
    with app.app_context():
        from helpdesk.extensions import db
        from helpdesk.models import Customer, Ticket
        from helpdesk.services.privacy import erasure, export, purge

        tickets = db.session.scalar(select(func.count(Ticket.id)))
        ids = list(db.session.scalars(select(Ticket.customer_id).join(Customer, Customer.id == Ticket.customer_id)
                                      .where(Customer.erased_at.is_(None)).group_by(Ticket.customer_id)
                                      .order_by(func.count().desc()).limit(args.customers)))
        compact_s, runs = [], []
        real_compact = purge.compact

        def timed_compact():
            started = time.perf_counter()
            real_compact()
            compact_s.append(time.perf_counter() - started)

        purge.compact = timed_compact
        for customer_id in ids:
            customer = db.session.get(Customer, customer_id)
            owned = db.session.scalar(select(func.count(Ticket.id)).where(Ticket.customer_id == customer_id))
            started = time.perf_counter()
            export.write_archive(customer, io.BytesIO())
            exported = time.perf_counter() - started
            started = time.perf_counter()
            report = erasure.erase(customer, compact_now=True)
            total = time.perf_counter() - started
            runs.append({"customer": customer_id, "tickets": owned, "messages": report.counts.get("messages", 0),
                         "export_ms": round(exported * 1000, 1), "erase_total_ms": round(total * 1000, 1),
                         "compact_ms": round(compact_s[-1] * 1000, 1)})
            print(runs[-1], flush=True)
        print({"backend": common.backend(args.database_url), "tickets_in_db": tickets,
               "median_erase_ms": sorted(r["erase_total_ms"] for r in runs)[len(runs) // 2],
               "median_compact_ms": sorted(r["compact_ms"] for r in runs)[len(runs) // 2]})


if __name__ == "__main__":
    main()
