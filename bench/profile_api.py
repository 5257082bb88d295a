"""One request of each kind of bench_burst's mix, in-process: time, SQL statements and a profile.

    .venv/bin/python -m bench.profile_api --database-url sqlite:///bench/results/profile_api.sqlite3
    ... --requests 200 (timed per kind) --profile (pyinstrument's tree of the same requests)

The database is prepared as bench_burst's (an agent in Support, its API token, `--tickets` tickets
opened through the API first); the application is `helpdesk run`'s (production settings, jobs
queued, not run) driven through Flask's test client, so what is measured is the application's own
work per request: no server, no network, no admission queue. Per kind (`GET /api/v1/tickets?limit=25`,
`POST /api/v1/tickets`): wall and CPU ms per request (p50 / mean), statements and commits per
request, and the requests/s one core would answer of bench_burst's mix (four reads to one write).
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid

from bench import common
from bench.bench_widget import in_process_app


def _count_statements(engine, counts: dict) -> None:
    from sqlalchemy import event

    @event.listens_for(engine, "before_cursor_execute")
    def _statement(*_args) -> None:
        counts["statements"] += 1

    @event.listens_for(engine, "commit")
    def _commit(*_args) -> None:
        counts["commits"] += 1


def _write(client, headers: dict) -> int:
    body = {"customer": {"email": f"{uuid.uuid4().hex[:8]}@burst.example"}, "subject": "burst " + uuid.uuid4().hex,
            "body": "Help, please.", "external_id": uuid.uuid4().hex}
    return client.post("/api/v1/tickets", json=body, headers=headers).status_code


def _read(client, headers: dict) -> int:
    return client.get("/api/v1/tickets?limit=25", headers=headers).status_code


def measure(app, headers: dict, requests: int, profile: bool) -> dict:
    """Per kind: ms per request (wall, CPU), statements and commits per request."""
    from helpdesk.extensions import db

    counts = {"statements": 0, "commits": 0}
    with app.app_context():
        _count_statements(db.engine, counts)
    client = app.test_client()
    found = {}
    for kind, call, ok in (("read", _read, 200), ("write", _write, 201)):
        for _ in range(10):
            assert call(client, headers) == ok
        counts.update(statements=0, commits=0)
        walls, cpus = [], []
        for _ in range(requests):
            wall, cpu = time.perf_counter(), time.process_time()
            status = call(client, headers)
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
            assert status == ok, status
        found[kind] = {"wall_ms_p50": round(statistics.median(walls), 2), "wall_ms_mean": round(statistics.mean(walls), 2),
                       "cpu_ms_mean": round(statistics.mean(cpus), 2),
                       "statements": round(counts["statements"] / requests, 1),
                       "commits": round(counts["commits"] / requests, 1)}
        if profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            with profiler:
                for _ in range(requests):
                    call(client, headers)
            common.print_profile(f"{kind}: {requests} requests", profiler)
    mix_ms = (4 * found["read"]["cpu_ms_mean"] + found["write"]["cpu_ms_mean"]) / 5
    found["mix_per_core_s"] = round(1000 / mix_ms, 1)
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="sqlite:///bench/results/profile_api.sqlite3")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--tickets", type=int, default=300)
    parser.add_argument("--profile", action="store_true", help="print a pyinstrument profile per kind")
    parser.add_argument("--tag", default="")
    args = parser.parse_args(argv)
    app, _key, token = in_process_app("profile-api", args.database_url)
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    for _ in range(args.tickets):
        assert _write(client, headers) == 201
    common.save_measured("profile-api", args.database_url, args.tag,
                         lambda: measure(app, headers, args.requests, args.profile))


if __name__ == "__main__":
    main()
