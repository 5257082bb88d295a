"""Scale-out of the chat widget: two `helpdesk web` processes and a worker sharing PostgreSQL and Redis.

A visitor's widget is connected to process A and the agent console's socket to process B: the
visitor's message reaches the agent through Redis, and the agent's answer (delivered by the worker)
reaches the visitor on A the same way.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
import requests
import socketio

from tests.support import free_port, redis_test_url
from tests.web_server import run_cli, start_server, stop

BIN = Path(sys.executable).parent
SHOP = "https://shop.example"
REDIS_URL = redis_test_url(11)  # flushed: a database of its own (see tests/support.redis_test_url)


@pytest.fixture
def cluster(pg_schema_url, redis_url, tmp_path):
    """Two web processes (ports a, b) and a worker on one database and one Redis; an agent of
    Support with an API token and a widget whose chats go to Support."""
    from tests.conftest import _truncate_all

    _truncate_all(pg_schema_url)
    env = dict(os.environ, HELPDESK_DATABASE_URL=pg_schema_url, HELPDESK_REDIS_URL=redis_url,
               HELPDESK_INSTANCE_DIR=str(tmp_path / "instance"), HELPDESK_SECRET_KEY="webchat-scale-out-test")
    run_cli(env, "users", "create", "--email", "ana@staff.example", "--name", "Ana Pérez", "--role", "agent",
            "--group", "Support", "--password-stdin", stdin="correct horse battery\n")
    token = run_cli(env, "tokens", "create", "--email", "ana@staff.example").strip()
    added = run_cli(env, "channels", "add-webchat", "shop", "--origin", SHOP, "--group", "Support", "--no-prechat")
    key = re.search(r"key (\S+)", added).group(1)
    ports = (free_port(), free_port())
    procs = []
    try:
        for port in ports:
            procs.append(start_server(env, "web", "--port", str(port), ready_path="/api/v1/openapi.json"))
        procs.append(subprocess.Popen([str(BIN / "helpdesk"), "worker", "--workers", "1"], env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        yield {"a": f"http://127.0.0.1:{ports[0]}", "b": f"http://127.0.0.1:{ports[1]}", "token": token, "key": key}
    finally:
        for proc in procs:
            stop(proc)


class Listener:
    """A Socket.IO client that records the events of one namespace and wakes waiters on each."""

    def __init__(self, namespace: str, origin: str | None = None) -> None:
        # websocket-client sends an Origin of its own (the server's): name the page's instead.
        self.client = socketio.Client(reconnection=False, websocket_extra_options={"origin": origin} if origin else {})
        self.heard: list[tuple[str, dict]] = []
        self._changed = threading.Condition()
        self.client.on("*", self._record, namespace=namespace)

    def _record(self, event, data):
        with self._changed:
            self.heard.append((event, data))
            self._changed.notify_all()

    def wait_for(self, test, timeout: float = 20.0):
        """The first (event, data) for which `test` is true, waiting up to `timeout` seconds; None if none came."""
        with self._changed:
            found = self._changed.wait_for(lambda: next((e for e in self.heard if test(*e)), None), timeout)
        return found


def test_a_visitor_on_one_web_process_and_an_agent_on_another_talk_through_redis(cluster):
    agent, visitor = Listener("/agent"), Listener("/chat", origin=SHOP)
    try:
        agent.client.connect(cluster["b"], namespaces=["/agent"], auth={"token": cluster["token"]},
                             transports=["websocket"], wait_timeout=10)
        visitor.client.connect(cluster["a"], namespaces=["/chat"], auth={"key": cluster["key"]},
                               transports=["websocket"], wait_timeout=10)
        hello = visitor.wait_for(lambda e, d: e == "welcome")
        assert hello is not None, f"no welcome on A; heard {visitor.heard}"

        sent = visitor.client.call("post_message", {"text": "Where is my order 1234?", "client_id": uuid.uuid4().hex},
                                   namespace="/chat", timeout=10)
        assert sent["ok"], sent
        seen = agent.wait_for(lambda e, d: e == "message.created" and d.get("message_id") == sent["id"])
        assert seen is not None, f"the agent on B did not hear the message; heard {[e for e, _ in agent.heard]}"
        assert seen[1]["ticket_id"] == sent["ticket_id"] and seen[1]["channel"] == "webchat"
        assert agent.wait_for(lambda e, d: e == "chat.waiting" and d.get("ticket_id") == sent["ticket_id"]) is not None

        answer = requests.post(f"{cluster['b']}/api/v1/tickets/{sent['ticket_id']}/replies", timeout=10,
                               headers={"Authorization": f"Bearer {cluster['token']}"},
                               json={"body": "It left the warehouse today."})
        assert answer.status_code == 201, answer.text
        reply = visitor.wait_for(lambda e, d: e == "message_added" and d.get("from") == "agent")
        assert reply is not None, f"the visitor on A did not get the answer; heard {[e for e, _ in visitor.heard]}"
        assert reply[1]["text"] == "It left the warehouse today."
        assert reply[1]["author"] == "Ana" and reply[1]["state"] == "delivered"
        delivered = agent.wait_for(lambda e, d: e == "message.updated" and d.get("delivery_state") == "delivered")
        assert delivered is not None, "the agent on B never saw the answer marked delivered"
    finally:
        for listener in (agent, visitor):
            if listener.client.connected:
                listener.client.disconnect()
