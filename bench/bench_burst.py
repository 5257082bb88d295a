"""A burst of many concurrent API clients against a running helpdesk, and whether every write stuck.

    .venv/bin/python -m bench.bench_burst embedded --database-url sqlite:///bench/results/burst.sqlite3
    .venv/bin/python -m bench.bench_burst scaled --database-url postgresql://postgres@127.0.0.1:5432/bench_burst \
        --redis-url redis://127.0.0.1:6379/9 --web 2
    ... --clients 1000 --seconds 30 --think 0 --writes 0.2 --timeout 60

Each of `--clients` clients (one process, asyncio + aiohttp, a keep-alive connection each, all
opened at once) loops for `--seconds`: with probability `--writes` it opens a ticket through
`POST /api/v1/tickets` (a unique subject and `external_id`), else it lists the agent's tickets
(`GET /api/v1/tickets?limit=25`), then waits `--think` x 0.5-1.5 s (0: at once). A request not
answered within `--timeout` s counts as timed out. Afterwards the database is read: every write
answered 201/200 must be stored exactly once, and no subject twice (a write that timed out may or
may not be stored, but never twice). Latency p50/p95/p99 per kind, requests/s, status counts, the
servers' CPU seconds and the load average go to bench/results/burst-*.json.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import ssl
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

from bench import common, topology


@dataclass
class Tally:
    """What the clients saw."""

    samples: dict[str, list[float]] = field(default_factory=lambda: {"read": [], "write": []})
    statuses: Counter = field(default_factory=Counter)
    accepted: list[str] = field(default_factory=list)  # subjects of writes answered 201/200
    attempted: list[str] = field(default_factory=list)


async def _client(session, base: str, token: str, until: float, think: float, writes: float, rng: random.Random,
                  tally: Tally, tag: str) -> None:
    async with session:
        await _requests(session, base, token, until, think, writes, rng, tally, tag)


async def _requests(session, base: str, token: str, until: float, think: float, writes: float, rng: random.Random,
                    tally: Tally, tag: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    n = 0
    await asyncio.sleep(rng.uniform(0, 0.05))  # the burst: everyone within 50 ms
    while time.monotonic() < until:
        n += 1
        write = rng.random() < writes
        start = time.monotonic()
        try:
            if write:
                subject = f"burst {tag} {n}"
                tally.attempted.append(subject)
                body = {"customer": {"email": f"{tag}@burst.example"}, "subject": subject, "body": "Help, please.",
                        "external_id": uuid.uuid4().hex}
                async with session.post(f"{base}/api/v1/tickets", json=body, headers=headers) as response:
                    await response.read()
                    status = response.status
                if status in (200, 201):
                    tally.accepted.append(subject)
            else:
                async with session.get(f"{base}/api/v1/tickets?limit=25", headers=headers) as response:
                    await response.read()
                    status = response.status
        except TimeoutError:
            status = "timeout"
        except Exception as exc:  # noqa: BLE001 - counted, the client goes on
            status = exc.__class__.__name__
        tally.statuses[f"{'write' if write else 'read'} {status}"] += 1
        if status in (200, 201):
            tally.samples["write" if write else "read"].append((time.monotonic() - start) * 1000)
        if think:
            await asyncio.sleep(think * rng.uniform(0.5, 1.5))


async def burst(base: str, token: str, clients: int, seconds: float, think: float, writes: float, timeout: float,
                verify: str | None, seed: int = 18) -> tuple[Tally, float]:
    """Run the clients; what they saw and the seconds from the first request to the last answer."""
    import aiohttp

    tally = Tally()
    rng = random.Random(seed)
    context = ssl.create_default_context(cafile=verify) if verify else None
    # A session (one keep-alive connection) per client, each from its own loopback address: behind
    # nginx's sticky hash they spread over the web processes as real clients' addresses would.
    sessions = [aiohttp.ClientSession(connector=common.connector(i, limit=1, ssl=context if context else False),
                                      timeout=aiohttp.ClientTimeout(total=timeout)) for i in range(clients)]
    start = time.monotonic()
    until = start + seconds
    run = str(uuid.uuid4())[:8]
    await asyncio.gather(*(_client(session, base, token, until, think, writes, random.Random(rng.random()), tally,
                                   f"{run}-{i}") for i, session in enumerate(sessions)))
    return tally, time.monotonic() - start


def stored_once(url: str, accepted: list[str], attempted: list[str]) -> dict:
    """Read the database: accepted writes missing, subjects stored more than once."""
    from sqlalchemy import create_engine, func, select

    from helpdesk.models import Ticket

    prefixes = {" ".join(s.split()[:2]).rsplit("-", 1)[0] for s in attempted}  # "burst <run>": this run only
    engine = create_engine(common.engine_url(url))
    with engine.connect() as conn:
        counts = {}
        for prefix in prefixes:
            counts |= dict(conn.execute(select(Ticket.subject, func.count()).where(Ticket.subject.like(prefix + "-%"))
                                        .group_by(Ticket.subject)).all())
    engine.dispose()
    return {"accepted": len(accepted), "attempted": len(attempted), "stored": len(counts),
            "accepted_missing": sum(1 for s in accepted if s not in counts),
            "stored_twice_or_more": sum(1 for c in counts.values() if c > 1),
            "stored_though_not_accepted": sum(1 for s in counts if s not in set(accepted))}


def summary(tally: Tally, elapsed: float) -> dict:
    """Percentiles per kind, rates, statuses."""
    done = sum(len(v) for v in tally.samples.values())
    return {"read": common.summarise(tally.samples["read"]) if tally.samples["read"] else None,
            "write": common.summarise(tally.samples["write"]) if tally.samples["write"] else None,
            "all": common.summarise(tally.samples["read"] + tally.samples["write"]) if done else None,
            "answered_per_s": round(done / elapsed, 1), "seconds": round(elapsed, 1),
            "timeouts": sum(n for k, n in tally.statuses.items() if k.endswith("timeout")),
            "statuses": dict(tally.statuses)}


def run(mode: str, url: str, redis_url: str | None, web: int, clients: int, seconds: float, think: float,
        writes: float, timeout: float, extra_env: dict | None = None) -> dict:
    """Start the topology, warm it up, run the burst, check the writes; the result."""
    with topology.start(mode, url, redis_url, web, extra_env) as running:
        base = running.bases[0]
        asyncio.run(burst(base, running.token, 20, 2, 0, writes, timeout, running.verify))  # warm-up, untimed
        cpu = topology.cpu_seconds(running.pids)
        load_before = os.getloadavg()
        tally, elapsed = asyncio.run(burst(base, running.token, clients, seconds, think, writes, timeout,
                                           running.verify))
        cpu = {k: round(v - cpu[k], 1) for k, v in topology.cpu_seconds(running.pids).items()}
    writes_check = stored_once(url, tally.accepted, tally.attempted)
    return {"mode": mode, "web_processes": web if mode == "scaled" else 1, "clients": clients, "think_s": think,
            "write_share": writes, "timeout_s": timeout, "server_cpu_s": cpu, "loadavg_before": load_before,
            "writes": writes_check} | summary(tally, elapsed) | {"machine": common.machine(url)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["embedded", "scaled"])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url")
    parser.add_argument("--web", type=int, default=2, help="scaled: helpdesk web processes behind nginx")
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--think", type=float, default=0.0, help="mean pause between a client's requests (s)")
    parser.add_argument("--writes", type=float, default=0.2, help="share of requests that open a ticket")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the servers (repeatable)")
    parser.add_argument("--name")
    args = parser.parse_args(argv)
    extra = dict(item.split("=", 1) for item in args.env)
    result = run(args.mode, args.database_url, args.redis_url, args.web, args.clients, args.seconds, args.think,
                 args.writes, args.timeout, extra)
    name = args.name or f"burst-{args.mode}-{args.clients}c-think{args.think:g}"
    print(common.save(name, result).read_text())


if __name__ == "__main__":
    main()
