"""E-mail ingestion end to end: a seeded corpus in a real Dovecot mailbox, `helpdesk listen --once`
timed as a separate process (messages/second, peak memory), and the parser alone for comparison.

    python -m bench.bench_mail --database-url sqlite:///bench/results/mail.sqlite3 --mails 2000
    python -m bench.bench_mail --database-url postgresql://postgres@127.0.0.1:5432/test --mails 2000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from bench.common import RESULTS, backend, engine_url, machine, save
from bench.mail_corpus import generate

BIN = Path(sys.executable).parent


def _fresh_database(url: str) -> tuple[str, callable]:
    """A migrated, empty database for one run, and how to drop it afterwards."""
    if backend(url) == "sqlite":
        path = Path(url.split("///", 1)[1]).resolve()
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return f"sqlite:///{path}", lambda: None
    from sqlalchemy import create_engine, text

    schema = f"bench_mail_{uuid.uuid4().hex[:8]}"
    admin = create_engine(engine_url(url))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in url else "?"

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return f"{url}{sep}options=-csearch_path%3D{schema}", drop


def _cli(env: dict, *args: str, stdin: str | None = None, profile: str | None = None,
         rss_file: Path | None = None) -> str:
    command = [str(BIN / "helpdesk"), *args]
    if profile:  # cProfile the command into `profile` (read it with pstats)
        command = [sys.executable, "-m", "cProfile", "-o", profile, *command]
    if rss_file:  # this process's own peak RSS in KiB (the set-up commands' would hide a smaller one)
        command = ["/usr/bin/time", "-o", str(rss_file), "-f", "%M", *command]
    done = subprocess.run(command, env=env, input=stdin, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return done.stdout


def parse_only(corpus: list[bytes]) -> float:
    """Messages per second through the parser alone."""
    from channels.email.parser import parse_email

    start = time.perf_counter()
    for raw in corpus:
        parse_email(raw, source="bench")
    return len(corpus) / (time.perf_counter() - start)


def _stored(database: str) -> dict:
    """What the run left in the database: inbound messages, failed mail, acknowledgements queued,
    and tickets with more than one acknowledgement (there must be none)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(engine_url(database))
    try:
        with engine.connect() as conn:
            counts = conn.execute(text(
                "SELECT (SELECT count(*) FROM messages WHERE kind = 'inbound'),"
                " (SELECT count(*) FROM failed_mails),"
                " (SELECT count(*) FROM messages WHERE kind = 'outbound' AND is_automated),"
                " (SELECT count(*) FROM tickets),"
                " (SELECT count(*) FROM (SELECT ticket_id FROM messages WHERE kind = 'outbound' AND is_automated"
                "  GROUP BY ticket_id HAVING count(*) > 1) AS twice)")).one()
    finally:
        engine.dispose()
    return dict(zip(("inbound", "failed", "acknowledgements", "tickets", "acknowledged_twice"), counts, strict=True))


_DRAIN = ("import json, time\nfrom helpdesk import create_app\nfrom helpdesk.services.search import indexing\n"
          "with create_app().app_context():\n    started, cpu = time.perf_counter(), time.process_time()\n"
          "    tickets = indexing.drain()\n    print(json.dumps({'tickets': tickets, "
          "'seconds': round(time.perf_counter() - started, 3), 'cpu_seconds': round(time.process_time() - cpu, 3)}))")


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def listen_once(url: str, corpus: list[bytes], profile: str | None = None, *, acknowledge: bool = True,
                search_index: bool = True) -> dict:
    """Load `corpus` into a fresh Dovecot mailbox and time `helpdesk listen --once` over it
    (acknowledging every new ticket unless `acknowledge` is false); then, with the search index,
    time the drain that indexes what the listener queued (the job no worker ran meanwhile), or
    without it, drop the triggers that queue tickets for it before the run."""
    from tests.mail_server import PASSWORD, Dovecot

    database, drop = _fresh_database(url)
    dovecot = Dovecot().start()
    user = "support@bench.example"
    try:
        client = dovecot.client(user)
        for start in range(0, len(corpus), 200):
            client.multiappend("INBOX", corpus[start:start + 200])
        client.logout()
        env = dict(os.environ, HELPDESK_DATABASE_URL=database, HELPDESK_INSTANCE_DIR=str(RESULTS / "mail-instance"),
                   HELPDESK_SECRET_KEY="bench-only-secret-key")
        env.pop("HELPDESK_REDIS_URL", None)
        (RESULTS / "mail-instance" / "jobs.sqlite3").unlink(missing_ok=True)  # acknowledgements queued last run
        _cli(env, "db", "upgrade")
        _cli(env, "channels", "add-email", "bench", "--address", user, "--imap-host", "127.0.0.1",
             "--imap-port", str(dovecot.port), "--imap-user", user, "--imap-security", "none",
             "--imap-password-stdin", *(["--acknowledge"] if acknowledge else []), stdin=PASSWORD + "\n")
        if not search_index:
            from sqlalchemy import create_engine

            from bench.bench_ingest import drop_index_triggers

            engine = create_engine(engine_url(database))
            with engine.begin() as conn:
                drop_index_triggers(conn)
            engine.dispose()
        rss_file = RESULTS / "mail-listen-rss.txt"
        started, cpu = time.perf_counter(), _children_cpu()
        output = _cli(env, "listen", "--once", profile=profile, rss_file=rss_file)
        seconds, cpu = time.perf_counter() - started, _children_cpu() - cpu
        peak_kib = int(rss_file.read_text().split()[-1])
        result = {"mails": len(corpus), "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
                  "per_second": round(len(corpus) / seconds, 1), "peak_rss_mib": round(peak_kib / 1024, 1),
                  "acknowledge": acknowledge, "search_index": search_index, "report": output.strip()}
        if search_index:
            done = subprocess.run([sys.executable, "-c", _DRAIN], env=env, capture_output=True, text=True, check=True)
            result["index_drain"] = json.loads(done.stdout.strip().splitlines()[-1])
        return result | {"stored": _stored(database)}
    finally:
        dovecot.stop()
        drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--mails", type=int, default=2000)
    parser.add_argument("--memory-check", type=int, default=0, help="also run with this many mails to compare memory")
    parser.add_argument("--no-acknowledge", action="store_true", help="add the mailbox without acknowledgements")
    parser.add_argument("--tag", default="", help="appended to the result file's name (e.g. before, after)")
    parser.add_argument("--profile", help="write a cProfile of `listen --once` to this file (slows it down)")
    parser.add_argument("--no-search-index", action="store_true",
                        help="without the ticket search index's triggers (and so no drain after the run); the "
                             "listener still schedules its (empty) drain job, as with the index")
    args = parser.parse_args()
    corpus = generate(args.mails)
    result = {"machine": machine(args.database_url), "backend": backend(args.database_url),
              "corpus_mib": round(sum(map(len, corpus)) / 2**20, 1), "parse_only_per_second": round(parse_only(corpus), 1)}
    if args.memory_check:
        result["listen_once_other_n"] = listen_once(args.database_url, generate(args.memory_check, seed=8),
                                                    acknowledge=not args.no_acknowledge)
    result["listen_once"] = listen_once(args.database_url, corpus, args.profile, acknowledge=not args.no_acknowledge,
                                        search_index=not args.no_search_index)
    tag = ("-noindex" if args.no_search_index else "") + (f"-{args.tag}" if args.tag else "")
    path = save(f"mail-{backend(args.database_url)}-{args.mails}{tag}", result)
    print(path.read_text())


if __name__ == "__main__":
    main()
