"""What every benchmark shares: the app on a given database, timing statistics, the machine, results."""

from __future__ import annotations

import functools
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
PASSWORD = "bench-password"
AGENT_EMAIL = "agent01@bench.example"  # in two groups: the heaviest default list an agent has
SUPERVISOR_EMAIL = "supervisor01@bench.example"

# The job queue and instance folder are chosen when helpdesk is imported: keep them out of the repo.
os.environ.setdefault("HELPDESK_INSTANCE_DIR", str(RESULTS / "instance"))
os.environ.setdefault("HELPDESK_SECRET_KEY", "bench-only-secret-key")


def engine_url(url: str) -> str:
    """The SQLAlchemy URL for `url`: PostgreSQL through psycopg 3, as helpdesk.config does; a relative
    SQLite path made absolute (Flask-SQLAlchemy would otherwise resolve it inside the instance folder)."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        return "sqlite:///" + str(Path(url[len("sqlite:///"):]).resolve())
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def backend(url: str) -> str:
    """'sqlite' or 'postgresql'."""
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def make_app(url: str, **config):
    """The real application on the database at `url`, with jobs run in-line and no rate limits."""
    from helpdesk import create_app

    settings = {"SQLALCHEMY_DATABASE_URI": engine_url(url), "HELPDESK_JOBS_IMMEDIATE": True,
                "RATELIMIT_ENABLED": False, "HELPDESK_SMTP": None}
    return create_app(settings | config)


def summarise(samples_ms: list[float]) -> dict:
    """p50/p95/p99/mean/max in milliseconds, rounded, with the sample count."""
    ordered = sorted(samples_ms)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    return {"n": len(ordered), "p50": round(pct(50), 2), "p95": round(pct(95), 2), "p99": round(pct(99), 2),
            "mean": round(statistics.fmean(ordered), 2), "max": round(ordered[-1], 2)}


def time_calls(call: Callable[[int], object], runs: int, warmup: int = 5) -> dict:
    """Call `call(i)` `warmup` times untimed, then `runs` times timed; summarise the milliseconds."""
    for i in range(warmup):
        call(i)
    samples = []
    for i in range(runs):
        start = time.perf_counter()
        call(i)
        samples.append((time.perf_counter() - start) * 1000)
    return summarise(samples)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mem_total_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _postgres_version(url: str | None) -> str | None:
    if not url or backend(url) != "postgresql":
        return None
    from sqlalchemy import create_engine, text

    engine = create_engine(engine_url(url))
    try:
        with engine.connect() as conn:
            return conn.execute(text("SHOW server_version")).scalar()
    finally:
        engine.dispose()


def machine(url: str | None = None) -> dict:
    """The machine and software a result was measured on."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=RESULTS.parent, check=False).stdout.strip()
    except OSError:
        commit = ""
    return {
        "nproc": os.cpu_count(), "cpu": _cpu_model(), "ram_gib": _mem_total_gib(),
        "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
        "postgresql": _postgres_version(url), "platform": platform.platform(), "git": commit,
        "loadavg": os.getloadavg(),  # other work on the machine while it ran: p95/p99 are sensitive to it
    }


def save(name: str, data: dict) -> Path:
    """Write `data` to bench/results/<name>.json and return the path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    return path


def label(url: str) -> str:
    """A short name for result files: sqlite-<file stem> or pg-<database>."""
    if backend(url) == "sqlite":
        return "sqlite-" + Path(url.split("///", 1)[-1]).stem
    return "pg-" + url.rsplit("/", 1)[-1].split("?", 1)[0]


def print_profile(title: str, profiler) -> None:
    """A pyinstrument profile under a heading, as text without colours."""
    print(f"\n=== {title} ===")
    print(profiler.output_text(unicode=False, color=False, show_all=False, timeline=False))


def save_measured(kind: str, url: str, tag: str, measure: Callable[[], dict]) -> None:
    """Run `measure` between two load-average readings and save (and print) what it found with the
    machine's description as `<kind>-<database label>[-<tag>]`."""
    result = {"load_before": os.getloadavg()} | measure()
    result |= {"load_after": os.getloadavg(), "machine": machine(url)}
    print(save(f"{kind}-{label(url)}" + (f"-{tag}" if tag else ""), result).read_text())


class ServerCpu:
    """CPU time of the PostgreSQL backends serving the benchmark's database, read from /proc when the
    server runs on this machine (else 0), over a connection of its own: with the client's, what
    the work costs with a core to itself. Backends that end between two readings (parallel workers,
    autovacuum) are not counted."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine, make_url

        local = backend(url) == "postgresql" and make_url(url).host in ("127.0.0.1", "localhost", None)
        self.connection = create_engine(engine_url(url)).connect() if local else None

    def ns(self) -> int:
        """The backends' CPU nanoseconds so far (this reader's own backend left out)."""
        if self.connection is None:
            return 0
        from sqlalchemy import text

        pids = self.connection.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                            "AND pid <> pg_backend_pid()")).scalars().all()
        self.connection.rollback()
        total = 0
        for pid in pids:
            try:
                total += int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
            except (OSError, ValueError, IndexError):  # gone, or not on this machine
                pass
        return total

    def seconds(self) -> float:
        return self.ns() / 1e9


@functools.cache
def _server_cpu(url: str) -> ServerCpu:
    return ServerCpu(url)


def server_cpu_seconds(url: str) -> float:
    """CPU seconds the PostgreSQL backends of the database at `url` have used so far (one reader
    kept per URL; 0 on SQLite or a server elsewhere)."""
    return _server_cpu(url).seconds()


def client_address(n: int) -> str:
    """Client `n`'s own loopback source address. Linux answers on all of 127.0.0.0/8, so each
    benchmark client can look like another machine to the proxy's sticky hash (from 127.0.0.1 they
    were all one client, kept on one web process). The third octet changes first: nginx's
    `ip_hash` reads only the first three."""
    return f"127.0.{1 + n % 254}.{1 + n // 254 % 254}"


def connector(n: int | None = None, **options):
    """An aiohttp connector whose connections leave from `client_address(n)` (from the default
    address when `n` is None)."""
    import aiohttp

    return aiohttp.TCPConnector(local_addr=(client_address(n), 0) if n is not None else None, **options)


def fresh_database(url: str) -> None:
    """Delete the SQLite file, or empty the PostgreSQL database (created when missing; never `test`)."""
    if backend(url) == "sqlite":
        path = Path(engine_url(url).split("///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    from sqlalchemy import create_engine, text

    head, _, name = engine_url(url).partition("?")[0].rpartition("/")
    if name in ("test", "postgres"):
        raise SystemExit(f"choose a database of the benchmark's own, not {name!r}")
    admin = create_engine(f"{head}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    # An empty schema rather than DROP DATABASE, which waits for a checkpoint (minutes on a busy server).
    engine = create_engine(engine_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
