"""Chat widget under load: N concurrent visitors on `/chat`, one agent console on `/agent`.

Real processes only: `helpdesk run` (embedded: one process, SQLite, jobs in it) or, scaled out, two
`helpdesk web` processes and a `helpdesk worker` sharing PostgreSQL and Redis, the visitors spread
over both web processes and the agent connected to the first one only. Each visitor connects as the
widget does (widget key, the page's Origin, the visitor token from `welcome`) and writes
`--messages` messages, each after the agent's answer to the previous one and a think time. The
agent (API token, as the console's socket accepts it) answers every visitor message it hears of
through `POST /api/v1/tickets/<id>/replies`; the answer reaches the visitor through the outbox job
and the widget's live push.

Timed, from this one client process's clock:
  visitor → agent   visitor emits post_message → the agent's socket gets message.created
  agent → visitor   the agent starts its reply POST → the visitor's socket gets message_added
                    (split into reply_post, until the 201, and reply_delivery, from the 201 on:
                    the outbox job and the push; negative when the push beats the 201)
  round trip        visitor emits → the visitor sees the answer
  ack               visitor emits → post_message's answer (the message is stored)
plus messages/s over the run (visitor messages and answers), errors, the servers' CPU seconds and
the load average.

    .venv/bin/python -m bench.bench_widget embedded --database-url sqlite:///bench/results/widget.sqlite3
    .venv/bin/python -m bench.bench_widget scaleout --database-url postgresql://postgres@127.0.0.1:5432/bench_widget \
        --redis-url redis://127.0.0.1:6379/9
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from bench import common
from bench.http_harness import BIN, Server, stop

SHOP = "https://shop.bench.example"
AGENT = "chat-agent@bench.example"
# Every visitor connects from 127.0.0.1 and writes faster than a person: lift the per-address and
# per-visitor rates for the run (the limits themselves are tested in tests/realtime).
RATES = {"HELPDESK_WEBCHAT_MESSAGE_RATE": "100000 per minute", "HELPDESK_WEBCHAT_CONNECT_RATE": "100000 per minute",
         "HELPDESK_WEBCHAT_ADDRESS_CONNECT_RATE": "100000 per minute"}
WAIT = 15.0  # seconds a visitor waits for its answer before counting an error


@dataclass
class Setup:
    """What the load needs: where the servers are, the widget key and the agent's API token."""

    visitor_bases: list[str]
    agent_base: str
    key: str
    token: str
    verify: bool = True  # False: the proxy's self-signed certificate (bench/topology.py)


@dataclass
class Timings:
    """Monotonic instants (seconds) keyed by message id, and what went wrong."""

    sent: dict[int, float] = field(default_factory=dict)
    acked: dict[int, float] = field(default_factory=dict)
    agent_saw: dict[int, float] = field(default_factory=dict)
    answer_started: dict[int, float] = field(default_factory=dict)
    answer_stored: dict[int, float] = field(default_factory=dict)
    visitor_saw: dict[int, float] = field(default_factory=dict)
    round_trips: list[float] = field(default_factory=list)
    connects: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


def server_env(url: str, instance: Path, redis_url: str | None) -> dict:
    """The environment of every helpdesk process of the run."""
    env = {"HELPDESK_DATABASE_URL": common.engine_url(url), "HELPDESK_INSTANCE_DIR": str(instance),
           "HELPDESK_ENV": "production", "HELPDESK_SECRET_KEY": "bench-only-secret-key"} | RATES
    return env | ({"HELPDESK_REDIS_URL": redis_url} if redis_url else {})


def _cli(env: dict, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([str(BIN / "helpdesk"), *args], env=os.environ | env, input=stdin, capture_output=True,
                          text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"helpdesk {' '.join(args)} failed: {done.stderr[-2000:]}")
    return done.stdout


def prepare(env: dict) -> tuple[str, str]:
    """Migrate, add the agent (Support), its API token and a widget whose chats go to Support,
    with the CLI an operator uses. Returns (widget key, token)."""
    _cli(env, "db", "upgrade")
    _cli(env, "users", "create", "--email", AGENT, "--name", "Bench Agent", "--role", "agent", "--group", "Support",
         "--password-stdin", stdin=common.PASSWORD + "\n")
    token = _cli(env, "tokens", "create", "--email", AGENT).strip()
    added = _cli(env, "channels", "add-webchat", "bench-shop", "--origin", SHOP, "--group", "Support", "--no-prechat")
    return re.search(r"key (\S+)", added).group(1), token


def fresh_setup(name: str, url: str, redis_url: str | None, extra_env: dict | None = None) -> tuple[dict, str, str]:
    """A fresh database (and Redis database, flushed), a fresh instance folder `<name>-instance`,
    prepared as an operator would: (the servers' environment, widget key, API token)."""
    instance = common.RESULTS / f"{name}-instance"
    subprocess.run(["rm", "-rf", str(instance)], check=True)
    common.fresh_database(url)
    if redis_url:
        import redis

        redis.Redis.from_url(redis_url).flushdb()
    env = server_env(url, instance, redis_url) | (extra_env or {})
    return (env, *prepare(env))


def in_process_app(name: str, url: str):
    """`fresh_setup(name, url)` without Redis, and the application built in this process on it (its
    environment taken over): (app, widget key, API token), for measuring requests in-process."""
    env, key, token = fresh_setup(name, url, None)
    os.environ.update(env)
    from helpdesk import create_app

    return create_app(), key, token


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process and its living children (gunicorn's worker, nginx's)
    have used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    with contextlib.suppress(OSError):
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            total += cpu_seconds(int(child))
    return total


async def connect_agent(setup: Setup, t: Timings, http) -> object:
    """The agent's console socket: every visitor message it hears of is answered over the API."""
    import socketio

    loop = asyncio.get_running_loop()
    sio = socketio.AsyncClient(reconnection=False, ssl_verify=setup.verify)
    pending: set[asyncio.Task] = set()

    async def answer(ticket_id: int, message_id: int) -> None:
        start = loop.time()
        try:
            async with http.post(f"{setup.agent_base}/api/v1/tickets/{ticket_id}/replies",
                                 json={"body": f"Answer to message {message_id}."},
                                 headers={"Authorization": f"Bearer {setup.token}"}) as response:
                if response.status != 201:
                    t.error(f"reply HTTP {response.status}")
                    return
                reply_id = (await response.json())["id"]
                t.answer_started[reply_id], t.answer_stored[reply_id] = start, loop.time()
        except Exception as exc:  # noqa: BLE001 - counted, the run goes on
            t.error(f"reply {exc.__class__.__name__}")

    async def on_message_created(data: dict) -> None:
        if data.get("kind") != "inbound" or data.get("channel") != "webchat" or data["message_id"] in t.agent_saw:
            return
        t.agent_saw[data["message_id"]] = loop.time()
        task = asyncio.create_task(answer(data["ticket_id"], data["message_id"]))
        pending.add(task)
        task.add_done_callback(pending.discard)

    sio.on("message.created", on_message_created, namespace="/agent")
    await sio.connect(setup.agent_base, namespaces=["/agent"], auth={"token": setup.token}, transports=["websocket"],
                      wait_timeout=30)
    return sio


async def visit(base: str, setup: Setup, t: Timings, messages: int, think: float, rng: random.Random,
                n: int = 0) -> None:
    """One widget (visitor `n`, from its own loopback address): connect, take the visitor token
    from `welcome`, then write `messages` messages, each once the previous one is answered and a
    think time (think × 0.5-1.5 s) has passed."""
    import aiohttp
    import socketio

    loop = asyncio.get_running_loop()
    sio = socketio.AsyncClient(reconnection=False, ssl_verify=setup.verify,
                               http_session=lambda: aiohttp.ClientSession(connector=common.connector(n)))
    welcome: asyncio.Future = loop.create_future()
    answers: asyncio.Queue = asyncio.Queue()

    def on_added(item: dict) -> None:
        if item.get("from") == "agent" and item["id"] not in t.visitor_saw:
            t.visitor_saw[item["id"]] = loop.time()
            answers.put_nowait(item["id"])

    sio.on("welcome", lambda hello: welcome.done() or welcome.set_result(hello), namespace="/chat")
    sio.on("message_added", on_added, namespace="/chat")
    start = loop.time()
    try:
        await sio.connect(base, namespaces=["/chat"], auth={"key": setup.key}, headers={"Origin": SHOP},
                          transports=["websocket"], wait_timeout=30)
        token = (await asyncio.wait_for(welcome, 30))["token"]
    except Exception as exc:  # noqa: BLE001
        t.error(f"connect {exc.__class__.__name__}")
        return
    t.connects.append(loop.time() - start)
    assert token, "the widget keeps the visitor token it is given"
    await asyncio.sleep(rng.uniform(0, think))  # visitors do not all start in the same millisecond
    for _ in range(messages):
        await _one_message(sio, t, answers, loop)
        await asyncio.sleep(think * rng.uniform(0.5, 1.5))
    await sio.disconnect()


async def _one_message(sio, t: Timings, answers: asyncio.Queue, loop) -> None:
    sent = loop.time()
    try:
        ack = await sio.call("post_message", {"text": "Where is my order? " + uuid.uuid4().hex[:8],
                                              "client_id": uuid.uuid4().hex}, namespace="/chat", timeout=WAIT)
    except Exception as exc:  # noqa: BLE001
        t.error(f"post {exc.__class__.__name__}")
        return
    if not ack.get("ok"):
        t.error(f"post refused: {ack.get('error')}")
        return
    t.sent[ack["id"]], t.acked[ack["id"]] = sent, loop.time()
    try:
        await asyncio.wait_for(answers.get(), WAIT)
    except TimeoutError:
        t.error("no answer within 15 s")
        return
    t.round_trips.append(loop.time() - sent)


async def load(setup: Setup, visitors: int, messages: int, think: float, seed: int) -> tuple[Timings, float]:
    """Run the agent and `visitors` widgets (spread over the web processes) to the end; the
    timings and the wall-clock seconds from the first visitor's connect to the last one's end."""
    import aiohttp

    t = Timings()
    rng = random.Random(seed)
    connector = aiohttp.TCPConnector(limit=visitors, ssl=None if setup.verify else False)
    async with aiohttp.ClientSession(connector=connector) as http:
        agent = await connect_agent(setup, t, http)
        start = time.monotonic()
        await asyncio.gather(*(visit(setup.visitor_bases[i % len(setup.visitor_bases)], setup, t, messages, think,
                                     random.Random(rng.random()), i) for i in range(visitors)))
        elapsed = time.monotonic() - start
        await asyncio.sleep(0.5)  # answers still in flight are counted as answered late, not lost
        await agent.disconnect()
    return t, elapsed


def _ms(pairs) -> dict | None:
    samples = [(end - begin) * 1000 for begin, end in pairs]
    return common.summarise(samples) if samples else None


def summary(t: Timings, elapsed: float) -> dict:
    """Percentiles (ms), rates and errors of a run."""
    answered = [rid for rid in t.visitor_saw if rid in t.answer_started]
    return {
        "visitor_to_agent": _ms((t.sent[m], t.agent_saw[m]) for m in t.agent_saw if m in t.sent),
        "agent_to_visitor": _ms((t.answer_started[r], t.visitor_saw[r]) for r in answered),
        "reply_post": _ms((t.answer_started[r], t.answer_stored[r]) for r in t.answer_stored),
        "reply_delivery": _ms((t.answer_stored[r], t.visitor_saw[r]) for r in answered),
        "round_trip": _ms((0, s) for s in t.round_trips),
        "ack": _ms((t.sent[m], t.acked[m]) for m in t.acked),
        "connect": _ms((0, s) for s in t.connects),
        "visitor_messages": len(t.acked), "answers_seen": len(answered), "seconds": round(elapsed, 1),
        "messages_per_s": round((len(t.acked) + len(answered)) / elapsed, 1) if elapsed else None,
        "visitor_messages_per_s": round(len(t.acked) / elapsed, 1) if elapsed else None,
        "errors": t.errors,
    }


@contextlib.contextmanager
def cluster(mode: str, env: dict, worker_threads: int = 8):
    """Start the processes of `mode`; yields (web base URLs, pids of every helpdesk process)."""
    with contextlib.ExitStack() as stack:
        if mode == "embedded":
            servers = [stack.enter_context(Server(env["HELPDESK_DATABASE_URL"], command="run", env=env))]
            worker = None
        else:
            servers = [stack.enter_context(Server(env["HELPDESK_DATABASE_URL"], env=env)) for _ in range(2)]
            log = stack.enter_context((common.RESULTS / "widget-worker.log").open("wb"))
            worker = subprocess.Popen([str(BIN / "helpdesk"), "worker", "--workers", str(worker_threads)], env=os.environ | env,
                                      stdout=log, stderr=subprocess.STDOUT)
            stack.callback(stop, worker)
        pids = [s.proc.pid for s in servers] + ([worker.pid] if worker else [])
        yield [s.base for s in servers], pids


def run(mode: str, url: str, redis_url: str | None, visitors: int, messages: int, think: float, seed: int,
        worker_threads: int = 8, extra_env: dict | None = None) -> dict:
    """Prepare a fresh database, start the processes, warm up, then time the load; the result."""
    if mode == "scaleout" and not redis_url:
        raise SystemExit("scaleout needs --redis-url (a Redis database of the benchmark's own: it is flushed)")
    env, key, token = fresh_setup(f"widget-{mode}", url, redis_url, extra_env)
    with cluster(mode, env, worker_threads) as (bases, pids):
        setup = Setup(visitor_bases=bases, agent_base=bases[0], key=key, token=token)
        asyncio.run(load(setup, min(visitors, 10), 2, 0.2, seed))  # warm-up, untimed: imports, caches
        cpu_before = {pid: cpu_seconds(pid) for pid in pids}
        load_before = os.getloadavg()
        timings, elapsed = asyncio.run(load(setup, visitors, messages, think, seed + 1))
        cpu = {str(pid): round(cpu_seconds(pid) - cpu_before[pid], 1) for pid in pids}
    result = {"mode": mode, "database": common.backend(url), "visitors": visitors, "messages_per_visitor": messages,
              "think_s": think, "processes": "helpdesk run" if mode == "embedded" else f"2 x helpdesk web + worker --workers {worker_threads}",
              "server_cpu_s": cpu, "loadavg_before": load_before, "server_env": extra_env or {}} | summary(timings, elapsed)
    result["machine"] = common.machine(url)
    return result


def print_result(r: dict) -> None:
    print(f"{r['mode']} ({r['database']}, {r['processes']}): {r['visitors']} visitors x {r['messages_per_visitor']} "
          f"messages, think {r['think_s']} s, {r['seconds']} s")
    for name in ("visitor_to_agent", "agent_to_visitor", "reply_post", "reply_delivery", "round_trip", "ack", "connect"):
        s = r[name]
        if s:
            print(f"  {name:<17} n={s['n']:<5} p50 {s['p50']:>8.1f}  p95 {s['p95']:>8.1f}  p99 {s['p99']:>8.1f}  "
                  f"max {s['max']:>8.1f} ms")
    print(f"  {r['messages_per_s']} messages/s ({r['visitor_messages_per_s']} from visitors), "
          f"errors {r['errors'] or 'none'}, server CPU s {r['server_cpu_s']}, "
          f"load {r['loadavg_before']} -> {r['machine']['loadavg']}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["embedded", "scaleout"])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", help="scaleout: a Redis database of its own (flushed)")
    parser.add_argument("--visitors", type=int, default=100)
    parser.add_argument("--messages", type=int, default=10, help="per visitor")
    parser.add_argument("--think", type=float, default=2.0, help="mean seconds a visitor waits between messages")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--worker-threads", type=int, default=8, help="scaleout: `helpdesk worker --workers N`")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="for the servers, e.g. HELPDESK_WEB_WORKER_CLASS=gevent (repeatable)")
    parser.add_argument("--name", help="result file name (bench/results/NAME.json)")
    args = parser.parse_args(argv)
    result = run(args.mode, args.database_url, args.redis_url, args.visitors, args.messages, args.think, args.seed,
                 args.worker_threads, dict(item.split("=", 1) for item in args.env))
    print_result(result)
    name = args.name or f"widget-{args.mode}-{args.visitors}v-think{args.think:g}"
    print(f"saved {common.save(name, result)}")


if __name__ == "__main__":
    main()
