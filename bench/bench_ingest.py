"""Web-form messages per second through the one ingestion path, single process.

    python -m bench.bench_ingest --database-url sqlite:///bench/results/bench.sqlite3 --messages 5000
    python -m bench.bench_ingest --database-url postgresql://postgres@127.0.0.1:5432/bench --messages 5000 --http

Each message is a FormSubmission turned into an InboundMessage by channels.web.form.to_inbound and
handed to helpdesk.services.ingest.ingest: half from new customers, a quarter new tickets from known
customers, a quarter replies to a customer's own unclosed ticket (the `[#123]` ticket hint a web
reply carries). `--http` also times POST /api/v1/tickets (new tickets) against `helpdesk web`.

The run works on a throwaway copy of the seeded database (a file copy on SQLite, CREATE DATABASE
... TEMPLATE on PostgreSQL), so the console benchmark keeps measuring the seeded data.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import shutil
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, make_url, select, text

from bench import common
from bench.bench_widget import cpu_seconds
from bench.http_harness import Server

BODY = ("Hello, I placed an order last week and the tracking page still says the label was created. "
        "Could you check with the carrier? The order number is in the subject. Thanks a lot.")


def copy_database(url: str, suffix: str = "ingest") -> str:
    """A fresh copy of the database at `url`, named after it with `suffix`; returns the copy's URL."""
    if common.backend(url) == "sqlite":
        source = Path(make_url(common.engine_url(url)).database)
        target = source.with_name(f"{source.stem}-{suffix}{source.suffix}")
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(source, target)
        return f"sqlite:///{target}"
    source = make_url(common.engine_url(url))
    name = f"{source.database}_{suffix}"
    admin = create_engine(source.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source.database}"'))
    admin.dispose()
    return source.set(database=name).render_as_string(hide_password=False)


def plan(app, count: int, seed: int = 11) -> list:
    """`count` inbound messages: new customers, known customers, and replies to their tickets."""
    from channels.web.form import FormSubmission, to_inbound
    from helpdesk.extensions import db
    from helpdesk.models import Identity, Ticket

    rng = random.Random(seed)
    run = time.strftime("%H%M%S")
    with app.app_context():
        known = list(db.session.execute(
            select(Identity.address, Ticket.id).join(Ticket, Ticket.customer_id == Identity.customer_id)
            .where(Identity.kind == "email", Ticket.status.in_(("new", "open", "pending", "solved")))
            .order_by(Ticket.id).limit(count * 4)))
        db.session.remove()
    rng.shuffle(known)
    messages = []
    for n in range(count):
        roll = rng.random()
        if roll < 0.5 or not known:
            form = FormSubmission(email=f"web{run}.{n}@new.example", name=f"New Customer {n}",
                                  subject=f"Order {rng.randint(1000, 99999)} not delivered", body=BODY)
            messages.append(to_inbound(form))
            continue
        address, ticket_id = known[n % len(known)]
        if roll < 0.75:
            messages.append(to_inbound(FormSubmission(email=address, subject="Another question", body=BODY)))
        else:
            reply = to_inbound(FormSubmission(email=address, subject=f"Re: [#{ticket_id}]", body=BODY))
            messages.append(dataclasses.replace(reply, ticket_hint=ticket_id))
    return messages


def without_search_index(app) -> None:
    """Drop the search index's triggers from the copy and stop scheduling its drain: the baseline
    that tells what keeping the index current costs ingestion."""
    from helpdesk.extensions import db
    from helpdesk.jobs import search as search_jobs
    from helpdesk.services import events

    for signal in (events.ticket_created, events.ticket_updated, events.message_created, events.message_updated):
        signal.disconnect(search_jobs._on_change)
    with app.app_context():
        drop_index_triggers(db.session.connection())
        db.session.commit()
        db.session.remove()


def drop_index_triggers(connection) -> None:
    """Drop the triggers that note changed tickets for the search index (in the caller's transaction)."""
    if connection.dialect.name == "sqlite":
        names = connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                        "AND name LIKE 'ticket_fts_q_%'")).scalars().all()
        drops = [f"DROP TRIGGER {name}" for name in names]
    else:
        rows = connection.execute(text("SELECT DISTINCT trigger_name, event_object_table FROM "
                                       "information_schema.triggers WHERE trigger_name LIKE 'ticket_fts_q_%' "
                                       "AND event_object_schema = current_schema()"))
        drops = [f"DROP TRIGGER {name} ON {table}" for name, table in rows]
    for statement in drops:
        connection.execute(text(statement))


def add_policy(app) -> None:
    """One active SLA policy for every ticket (first response 1 h, resolution 8 h, calendar time),
    so that each message also recomputes its ticket's clocks, as in a helpdesk that uses SLAs."""
    from helpdesk.extensions import db
    from helpdesk.services.sla import config as sla_config

    targets = [{"kind": "first_response", "goal_seconds": 3600, "business_time": False, "warning_fraction": 0.8,
                "pause_statuses": []},
               {"kind": "resolution", "goal_seconds": 8 * 3600, "business_time": False, "warning_fraction": 0.8,
                "pause_statuses": ["pending"]}]
    with app.app_context():
        sla_config.save_policy(None, name="Bench standard", targets=targets)
        db.session.remove()


def server_cpu() -> float:
    """CPU seconds the PostgreSQL backends of this app's database have used so far (0 on SQLite).
    Call in an app context."""
    from helpdesk.extensions import db

    return common.server_cpu_seconds(db.engine.url.render_as_string(hide_password=False))


def run_service(app, messages: list, warmup: int = 50) -> dict:
    """Ingest every message in turn; messages/s over the timed part and per-message latency."""
    from helpdesk.extensions import db
    from helpdesk.services.ingest import ingest

    samples, created = [], 0
    with app.app_context():
        for message in messages[:warmup]:
            ingest(message)
            db.session.remove()
        started, cpu, server = time.perf_counter(), time.process_time(), server_cpu()
        for message in messages[warmup:]:
            t0 = time.perf_counter()
            created += ingest(message).created_ticket
            db.session.remove()
            samples.append((time.perf_counter() - t0) * 1000)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        server = server_cpu() - server
    return {"messages": len(samples), "new_tickets": created, "seconds": round(elapsed, 2),
            "cpu_seconds": round(cpu, 2), "server_cpu_seconds": round(server, 2),
            "per_second": round(len(samples) / elapsed, 1),
            "latency_ms": common.summarise(samples)}


class Worker:
    """`helpdesk worker` on the benchmark's database and job queue, as production runs it beside
    the web and mail processes: the jobs that ingestion schedules (the search index drain among
    them) run while the messages arrive."""

    def __init__(self, url: str) -> None:
        import os
        import subprocess
        import sys

        from helpdesk.jobs.queue import huey

        huey.flush()  # jobs earlier runs queued and no worker ran
        env = os.environ | {"HELPDESK_DATABASE_URL": url, "HELPDESK_ENV": "production"}
        env.pop("HELPDESK_SMTP_URL", None)
        self.log = common.RESULTS / "ingest-worker.log"
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", "from helpdesk.cli import main; main()", "worker", "--workers", "2"],
                env=env, stdout=log, stderr=subprocess.STDOUT)
        time.sleep(3)  # started and waiting for jobs
        self.check()

    def check(self) -> None:
        """Stop the run if the worker has died (its output is in `self.log`)."""
        if self.process.poll() is not None:
            raise SystemExit(f"helpdesk worker exited with {self.process.returncode}; see {self.log}")

    def cpu(self) -> float:
        return cpu_seconds(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def run_with_worker(app, url: str, messages: list, index: bool, warmup: int = 50) -> dict:
    """Ingest every message while a worker runs the jobs; the time until the last message is
    ingested and, with the index, until every ticket it changed is indexed (searchable without a
    search having to drain first), and the CPU of the ingesting process, the worker and the
    database server over that time."""
    from helpdesk.extensions import db
    from helpdesk.services.ingest import ingest

    worker = Worker(url)
    try:
        with app.app_context():
            for message in messages[:warmup]:
                ingest(message)
                db.session.remove()
            _until_indexed(db, index, worker)
            started, cpu, server, worker_cpu = time.perf_counter(), time.process_time(), server_cpu(), worker.cpu()
            for message in messages[warmup:]:
                ingest(message)
                db.session.remove()
            ingested, cpu = time.perf_counter() - started, time.process_time() - cpu  # not the waiting below
            _until_indexed(db, index, worker)
            elapsed = time.perf_counter() - started
            worker_cpu, server = worker.cpu() - worker_cpu, server_cpu() - server
    finally:
        worker.stop()
    count = len(messages) - warmup
    return {"messages": count, "ingested_seconds": round(ingested, 2), "searchable_seconds": round(elapsed, 2),
            "per_second": round(count / ingested, 1), "cpu_seconds": round(cpu, 2),
            "worker_cpu_seconds": round(worker_cpu, 2), "server_cpu_seconds": round(server, 2)}


def _until_indexed(db, index: bool, worker: Worker, timeout: float = 300.0) -> None:
    """Wait until the worker has indexed every queued ticket (at once without the index)."""
    deadline = time.monotonic() + timeout
    while index and db.session.execute(text("SELECT 1 FROM ticket_fts_queue LIMIT 1")).scalar() is not None:
        db.session.rollback()
        worker.check()
        if time.monotonic() > deadline:
            raise SystemExit(f"tickets still queued for the search index after {timeout} s")
        time.sleep(0.05)
    db.session.rollback()


def run_drain(app) -> dict:
    """Index what the run queued, as the drain job would (no worker runs during the run): the
    indexing work that ingestion hands on, timed on its own."""
    from helpdesk.extensions import db
    from helpdesk.services.search import indexing

    with app.app_context():
        started, cpu, server = time.perf_counter(), time.process_time(), server_cpu()
        tickets = indexing.drain()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        server = server_cpu() - server
        db.session.remove()
    return {"tickets": tickets, "seconds": round(elapsed, 2), "cpu_seconds": round(cpu, 2),
            "server_cpu_seconds": round(server, 2)}


def run_http(app, url: str, count: int, threads: int) -> dict:
    """POST /api/v1/tickets `count` times from `threads` clients (each its own connection)."""
    import requests

    from helpdesk.extensions import db
    from helpdesk.models import User
    from helpdesk.services import staff

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == common.AGENT_EMAIL))
        token = staff.create_token(user, "bench-ingest")
        db.session.remove()
    run = time.strftime("%H%M%S")
    samples: list[float] = []
    lock = threading.Lock()

    def client(numbers: range) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        for n in numbers:
            body = {"customer": {"email": f"api{run}.{threads}.{n}@new.example", "name": f"API Customer {n}"},
                    "subject": f"Order {n} not delivered", "body": BODY}
            t0 = time.perf_counter()
            answer = session.post(server.base + "/api/v1/tickets", json=body, timeout=60)
            if answer.status_code != 201:
                raise RuntimeError(f"POST /api/v1/tickets answered {answer.status_code}: {answer.text[:300]}")
            with lock:
                samples.append((time.perf_counter() - t0) * 1000)

    with Server(url) as server:
        client(range(-20, 0))  # warm-up before the clock starts
        samples.clear()
        workers = [threading.Thread(target=client, args=(range(i, count, threads),)) for i in range(threads)]
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        elapsed = time.perf_counter() - started
    return {"threads": threads, "requests": len(samples), "seconds": round(elapsed, 2),
            "per_second": round(len(samples) / elapsed, 1), "latency_ms": common.summarise(samples)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--http", action="store_true", help="also POST /api/v1/tickets to `helpdesk web`")
    parser.add_argument("--http-requests", type=int, default=2000)
    parser.add_argument("--in-place", action="store_true", help="write into the seeded database itself")
    parser.add_argument("--tag", default="", help="suffix for the results file")
    parser.add_argument("--sla", action="store_true", help="with an active SLA policy (clocks on every message)")
    parser.add_argument("--jobs", choices=("queued", "inline"), default="queued",
                        help="queued: jobs the events start (report facts) are enqueued for a worker, as in "
                             "production; inline: run in the ingesting process too")
    parser.add_argument("--worker", action="store_true",
                        help="run `helpdesk worker` during the run (the jobs, the index drain among them, as in "
                             "production) and time until every change is searchable; flushes the job queue of "
                             "HELPDESK_INSTANCE_DIR (or HELPDESK_REDIS_URL) first")
    parser.add_argument("--no-search-index", action="store_true",
                        help="without the ticket search index's triggers and drain job (ingestion as before search)")
    args = parser.parse_args(argv)
    if args.worker and args.jobs == "inline":
        parser.error("--worker runs the jobs in the worker: leave --jobs at queued")
    url = args.database_url if args.in_place else copy_database(args.database_url)
    app = common.make_app(url, HELPDESK_JOBS_IMMEDIATE=args.jobs == "inline")
    if args.no_search_index:
        without_search_index(app)
    if args.sla:
        add_policy(app)
    messages = plan(app, args.messages + 50)
    if args.worker:
        w = run_with_worker(app, url, messages, index=not args.no_search_index)
        print(f"with a worker: {w['messages']} messages ingested in {w['ingested_seconds']} s, "
              + ("" if args.no_search_index else f"searchable after {w['searchable_seconds']} s, ")
              + f"{w['per_second']} messages/s; CPU ingest {w['cpu_seconds']} s + worker {w['worker_cpu_seconds']} s "
              f"(server {w['server_cpu_seconds']} s)")
        path = common.save(f"ingest-worker-{common.label(args.database_url)}"
                           + ("-noindex" if args.no_search_index else "") + (f"-{args.tag}" if args.tag else ""),
                           {"url": args.database_url, "copy": url, "results": {"worker": w},
                            "machine": common.machine(args.database_url)})
        print(f"-> {path}")
        return
    results = {"service": run_service(app, messages)}
    s = results["service"]
    print(f"ingest: {s['per_second']} messages/s ({s['messages']} in {s['seconds']} s, {s['new_tickets']} new tickets); "
          f"latency p50 {s['latency_ms']['p50']} p95 {s['latency_ms']['p95']} p99 {s['latency_ms']['p99']} ms; "
          f"CPU {s['cpu_seconds']} s (server {s['server_cpu_seconds']} s)")
    if not args.no_search_index and args.jobs == "queued":
        d = results["index_drain"] = run_drain(app)
        print(f"search index drain after the run: {d['tickets']} tickets in {d['seconds']} s "
              f"(CPU {d['cpu_seconds']} s, server {d['server_cpu_seconds']} s); "
              f"ingest + drain {round(s['messages'] / (s['seconds'] + d['seconds']), 1)} messages/s, "
              f"CPU {round(s['cpu_seconds'] + d['cpu_seconds'], 2)} s "
              f"(server {round(s['server_cpu_seconds'] + d['server_cpu_seconds'], 2)} s)")
    if args.http:
        from helpdesk.extensions import db

        with app.app_context():
            db.engine.dispose()  # the server process is the only writer from here on
        for threads in (1, 4):
            r = run_http(app, url, args.http_requests, threads)
            results[f"http_{threads}"] = r
            print(f"POST /api/v1/tickets x{threads} clients: {r['per_second']} requests/s; latency p50 "
                  f"{r['latency_ms']['p50']} p95 {r['latency_ms']['p95']} p99 {r['latency_ms']['p99']} ms")
    name = (f"ingest-{common.label(args.database_url)}" + ("-sla" if args.sla else "")
            + ("-inline" if args.jobs == "inline" else "") + ("-noindex" if args.no_search_index else "")
            + (f"-{args.tag}" if args.tag else ""))
    path = common.save(name, {
        "url": args.database_url, "copy": url, "sla_policy": args.sla, "jobs": args.jobs, "results": results,
        "machine": common.machine(args.database_url)})
    print(f"-> {path}")


if __name__ == "__main__":
    main()
