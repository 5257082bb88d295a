"""One chat message each way, in-process: CPU, SQL statements and a profile per half.

    .venv/bin/python -m bench.profile_chat --database-url sqlite:///bench/results/profile_chat.sqlite3
    ... --messages 200 (timed per half) --visitors 20 --profile (pyinstrument's tree of each half)

The database is prepared as bench_widget's (an agent in Support, its API token, a widget); the
application is `helpdesk run`'s (production settings) driven through Flask-SocketIO's and Flask's
test clients: `--visitors` visitors connected to `/chat`, the agent to `/agent`. Per message, the
visitor's half is the `post_message` event (ingestion, its subscribers and emits); the agent's half
is `POST /api/v1/tickets/<id>/replies` (with the live push to the visitor), then the jobs both
halves queued, run in the same thread. Per half: CPU ms per message, statements and commits.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid

from bench import common
from bench.bench_widget import SHOP, in_process_app
from bench.profile_api import _count_statements

CHAT, AGENT = "/chat", "/agent"


def _drain(huey) -> int:
    """Run every queued job here; how many ran."""
    ran = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran += 1
    return ran


class Halves:
    """The visitor's and the agent's half of one chat message."""

    def __init__(self, app, key: str, token: str, visitors: int):
        from helpdesk.extensions import socketio

        self.app, self.headers = app, {"Authorization": f"Bearer {token}"}
        self.http = app.test_client()
        self.agent = socketio.test_client(app, namespace=AGENT, auth={"token": token})
        self.visitors = [socketio.test_client(app, namespace=CHAT, auth={"key": key}, headers={"Origin": SHOP})
                         for _ in range(visitors)]
        self.turn, self.last = 0, {}

    def visitor(self) -> None:
        """The next visitor writes."""
        client = self.visitors[self.turn % len(self.visitors)]
        self.turn += 1
        answer = client.emit("post_message", {"text": "Where is my order? " + uuid.uuid4().hex, "client_id": uuid.uuid4().hex},
                             namespace=CHAT, callback=True)
        assert answer["ok"], answer
        self.last = answer

    def agent_half(self) -> None:
        """The agent answers the last message; its live push reaches the visitor."""
        response = self.http.post(f"/api/v1/tickets/{self.last['ticket_id']}/replies", json={"body": "On its way."},
                                  headers=self.headers)
        assert response.status_code == 201, response.status_code
        self.agent.get_received(AGENT)
        self.visitors[(self.turn - 1) % len(self.visitors)].get_received(CHAT)


def measure(app, halves: Halves, messages: int, profile: bool) -> dict:
    """Per half: CPU ms per message (the call, then the jobs it queued), statements, commits."""
    from helpdesk.extensions import db
    from helpdesk.jobs.queue import huey

    counts = {"statements": 0, "commits": 0}
    with app.app_context():
        _count_statements(db.engine, counts)
    for _ in range(10):
        halves.visitor()
        halves.agent_half()
        _drain(huey)
    found = {}
    for name, call in (("visitor", halves.visitor), ("agent", halves.agent_half)):
        sums = {"cpu": [], "jobs_cpu": [], "statements": 0, "commits": 0, "job_statements": 0, "jobs": 0}
        for _ in range(messages):
            if name == "agent":
                halves.visitor()
                _drain(huey)
            counts.update(statements=0, commits=0)
            cpu = time.process_time()
            call()
            sums["cpu"].append((time.process_time() - cpu) * 1000)
            sums["statements"] += counts["statements"]
            sums["commits"] += counts["commits"]
            counts.update(statements=0)
            cpu = time.process_time()
            sums["jobs"] += _drain(huey)
            sums["jobs_cpu"].append((time.process_time() - cpu) * 1000)
            sums["job_statements"] += counts["statements"]
            if name == "visitor":
                halves.agent_half()
                _drain(huey)
        found[name] = {"cpu_ms_mean": round(statistics.mean(sums["cpu"]), 2),
                       "cpu_ms_p50": round(statistics.median(sums["cpu"]), 2),
                       "statements": round(sums["statements"] / messages, 1),
                       "commits": round(sums["commits"] / messages, 1),
                       "jobs": round(sums["jobs"] / messages, 2),
                       "jobs_cpu_ms_mean": round(statistics.mean(sums["jobs_cpu"]), 2),
                       "job_statements": round(sums["job_statements"] / messages, 1)}
    if profile:
        from pyinstrument import Profiler

        for name, call in (("visitor", halves.visitor), ("agent", halves.agent_half)):
            profiler = Profiler(interval=0.0005)
            for _ in range(messages):
                if name == "agent":
                    halves.visitor()
                with profiler:
                    call()
                    _drain(huey)
                if name == "visitor":
                    halves.agent_half()
                    _drain(huey)
            common.print_profile(f"{name}: {messages} messages (with their jobs)", profiler)
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="sqlite:///bench/results/profile_chat.sqlite3")
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--visitors", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="print a pyinstrument profile per half")
    parser.add_argument("--tag", default="")
    args = parser.parse_args(argv)
    app, key, token = in_process_app("profile-chat", args.database_url)
    halves = Halves(app, key, token, args.visitors)
    common.save_measured("profile-chat", args.database_url, args.tag,
                         lambda: measure(app, halves, args.messages, args.profile))


if __name__ == "__main__":
    main()
