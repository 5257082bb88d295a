"""A ringing call on the agents' screens: how long after the CTI webhook returns does the popup
(`call.ringing`) reach each agent's console socket?

Real processes only: `helpdesk run` (embedded: SQLite, one process) or, scaled out, two
`helpdesk web` processes and a worker sharing PostgreSQL and Redis, the agents spread over both
web processes and the PBX posting to the first. `--agents` agents of Support connect to /agent as
the console does (API token, websocket); the PBX posts `--calls` signed `ringing` events for the
queue "support" (a mix of known and new callers), one every `--interval` seconds, and after each
`answered` (by the next agent) and `ended`, so that agents come free again.

Timed from this one client process's clock, for each agent and call:
  after_return   the webhook's 200 was read -> the agent's socket got call.ringing (negative when
                 the popup beat the HTTP answer: it is sent right after the commit, before the
                 response leaves)
  after_send     the webhook POST was started -> call.ringing
  webhook        the POST -> its 200

    .venv/bin/python -m bench.bench_calls embedded --database-url sqlite:///bench/results/calls.sqlite3
    .venv/bin/python -m bench.bench_calls scaleout --database-url postgresql://postgres@127.0.0.1:5432/bench_calls \
        --redis-url redis://127.0.0.1:6379/9
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import subprocess
import time

from bench import common
from bench.bench_widget import _cli, cluster, cpu_seconds, server_env
from channels.cti import signature

SECRET = "bench-cti-shared-secret-0123"


def prepare(env: dict, agents: int) -> tuple[int, list[str]]:
    """Migrate; the agents (Support, extensions 201...) and their API tokens; the CTI account."""
    _cli(env, "db", "upgrade")
    tokens = []
    for i in range(agents):
        email = f"phone-agent-{i}@bench.example"
        _cli(env, "users", "create", "--email", email, "--name", f"Phone Agent {i}", "--role", "agent", "--group",
             "Support", "--password-stdin", stdin=common.PASSWORD + "\n")
        tokens.append(_cli(env, "tokens", "create", "--email", email).strip())
    extensions = [arg for i in range(agents) for arg in ("--extension", f"{201 + i}=phone-agent-{i}@bench.example")]
    added = _cli(env, "channels", "add-cti", "bench-pbx", "--secret-stdin", "--group", "Support", "--region", "ES",
                 *extensions, stdin=SECRET + "\n")
    return int(re.search(r"/webhooks/cti/(\d+)", added).group(1)), tokens


async def _agent(base: str, token: str, seen: dict, loop) -> object:
    import socketio

    sio = socketio.AsyncClient(reconnection=False)

    def on_ringing(call: dict) -> None:
        seen.setdefault(call["call_id"], []).append(loop.time())

    sio.on("call.ringing", on_ringing, namespace="/agent")
    await sio.connect(base, namespaces=["/agent"], auth={"token": token}, transports=["websocket"], wait_timeout=30)
    return sio


async def load(bases: list[str], account_id: int, tokens: list[str], calls: int, interval: float, seed: int,
               prefix: str) -> dict:
    """Connect the agents, ring `calls` calls; per-call instants and errors."""
    import aiohttp

    loop = asyncio.get_running_loop()
    rng = random.Random(seed)
    seen: dict[int, list[float]] = {}
    agents = [await _agent(bases[i % len(bases)], token, seen, loop) for i, token in enumerate(tokens)]
    url = f"{bases[0]}/webhooks/cti/{account_id}"
    sent, returned, errors = {}, {}, {}

    async def post(http, payload: dict) -> dict | None:
        body = json.dumps(payload).encode()
        async with http.post(url, data=body, headers={"Content-Type": "application/json",
                                                      signature.HEADER: signature.sign(body, SECRET)}) as response:
            if response.status != 200:
                errors[f"{payload['event']} HTTP {response.status}"] = errors.get(f"{payload['event']} HTTP", 0) + 1
                return None
            return await response.json()

    async with aiohttp.ClientSession() as http:
        for n in range(calls):
            call_id = f"{prefix}-{n}"
            caller = f"+346{rng.randrange(0, 200):08d}"  # 200 callers: most calls come from a known customer
            start = loop.time()
            answer = await post(http, {"event": "ringing", "call_id": call_id, "from": caller, "queue": "support"})
            end = loop.time()
            if answer:
                sent[answer["call_id"]], returned[answer["call_id"]] = start, end
            await asyncio.sleep(interval / 2)
            await post(http, {"event": "answered", "call_id": call_id, "agent": str(201 + n % len(tokens))})
            await post(http, {"event": "ended", "call_id": call_id, "duration": rng.randrange(30, 400), "cause": "normal"})
            await asyncio.sleep(interval / 2)
        await asyncio.sleep(0.5)
    for agent in agents:
        await agent.disconnect()
    missing = sum(len(tokens) - len(seen.get(c, [])) for c in sent)
    if missing:
        errors["popups not seen"] = missing
    return {"sent": sent, "returned": returned, "seen": seen, "errors": errors}


def summary(raw: dict) -> dict:
    pairs = [(raw["returned"][c], raw["sent"][c], at) for c in raw["sent"] for at in raw["seen"].get(c, [])]
    ms = lambda values: common.summarise([v * 1000 for v in values]) if values else None  # noqa: E731
    return {"after_return": ms([at - back for back, _, at in pairs]), "after_send": ms([at - out for _, out, at in pairs]),
            "webhook": ms([raw["returned"][c] - raw["sent"][c] for c in raw["sent"]]), "popups": len(pairs),
            "calls": len(raw["sent"]), "errors": raw["errors"]}


def run(mode: str, url: str, redis_url: str | None, agents: int, calls: int, interval: float, seed: int) -> dict:
    """Prepare a fresh database, start the processes, warm up, then time the calls; the result."""
    if mode == "scaleout" and not redis_url:
        raise SystemExit("scaleout needs --redis-url (a Redis database of the benchmark's own: it is flushed)")
    instance = common.RESULTS / f"calls-{mode}-instance"
    subprocess.run(["rm", "-rf", str(instance)], check=True)
    common.fresh_database(url)
    if redis_url:
        import redis

        redis.Redis.from_url(redis_url).flushdb()
    env = server_env(url, instance, redis_url)
    account_id, tokens = prepare(env, agents)
    with cluster(mode, env) as (bases, pids):
        asyncio.run(load(bases, account_id, tokens, 10, 0.05, seed, "warm"))  # untimed: imports, caches
        cpu_before = {pid: cpu_seconds(pid) for pid in pids}
        load_before = os.getloadavg()
        raw = asyncio.run(load(bases, account_id, tokens, calls, interval, seed + 1, "timed"))
        cpu = {str(pid): round(cpu_seconds(pid) - cpu_before[pid], 1) for pid in pids}
    return {"mode": mode, "database": common.backend(url), "agents": agents, "calls_timed": calls,
            "interval_s": interval, "server_cpu_s": cpu, "loadavg_before": load_before,
            "processes": "helpdesk run" if mode == "embedded" else "2 x helpdesk web + worker"} | summary(raw) | {
            "machine": common.machine(url)}


def print_result(r: dict) -> None:
    print(f"{r['mode']} ({r['database']}, {r['processes']}): {r['agents']} agents, {r['calls']} calls "
          f"every {r['interval_s']} s, {r['popups']} popups")
    for name in ("after_return", "after_send", "webhook"):
        s = r[name]
        if s:
            print(f"  {name:<13} n={s['n']:<5} p50 {s['p50']:>7.1f}  p95 {s['p95']:>7.1f}  p99 {s['p99']:>7.1f}  "
                  f"max {s['max']:>7.1f} ms")
    print(f"  errors {r['errors'] or 'none'}, server CPU s {r['server_cpu_s']}, "
          f"load {r['loadavg_before']} -> {r['machine']['loadavg']}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["embedded", "scaleout"])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", help="scaleout: a Redis database of its own (flushed)")
    parser.add_argument("--agents", type=int, default=10)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between calls")
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--name", help="result file name (bench/results/NAME.json)")
    args = parser.parse_args(argv)
    started = time.time()
    result = run(args.mode, args.database_url, args.redis_url, args.agents, args.calls, args.interval, args.seed)
    result["wall_s"] = round(time.time() - started, 1)
    path = common.save(args.name or f"calls-{args.mode}-{common.label(args.database_url)}", result)
    print_result(result)
    print(f"saved {path}")


if __name__ == "__main__":
    main()
