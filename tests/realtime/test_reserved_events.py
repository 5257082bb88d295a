"""A client cannot fire the server's own handlers: `disconnect`, `connect` and any name outside a
namespace's public events are ignored. Real python-socketio clients against a real `helpdesk run`."""

from __future__ import annotations

import os
import queue
import re
import shutil
import uuid

import pytest
import requests
import socketio

from tests.support import free_port
from tests.web_server import cli_in_process, start_server, stop

SHOP = "https://shop.example"
RESERVED = ("disconnect", "connect", "_rooms", "_set_presence", "_user", "connect_error", "trigger_event")


@pytest.fixture(scope="module")
def server(tmp_path_factory, sqlite_template):
    instance = tmp_path_factory.mktemp("reserved-events")
    env = dict(os.environ, HELPDESK_INSTANCE_DIR=str(instance), HELPDESK_SECRET_KEY="reserved-events")
    for name in ("HELPDESK_DATABASE_URL", "HELPDESK_REDIS_URL"):
        env.pop(name, None)
    shutil.copy(sqlite_template, instance / "helpdesk.sqlite3")
    with cli_in_process(env) as helpdesk:
        tokens = {}
        for email, role in (("sue@staff.example", "supervisor"), ("ana@staff.example", "agent")):
            helpdesk("users", "create", "--email", email, "--name", email.split("@")[0], "--role", role,
                     "--group", "Support", "--password-stdin", stdin="correct horse battery\n")
            tokens[role] = helpdesk("tokens", "create", "--email", email).strip()
        added = helpdesk("channels", "add-webchat", "shop", "--origin", SHOP, "--group", "Support", "--no-prechat")
    port = free_port()
    proc = start_server(env, "run", "--port", str(port))
    try:
        yield {"url": f"http://127.0.0.1:{port}", "tokens": tokens, "key": re.search(r"key (\S+)", added).group(1)}
    finally:
        stop(proc)


def listener(namespace: str) -> tuple[socketio.Client, queue.Queue]:
    client, heard = socketio.Client(reconnection=False), queue.Queue()
    client.on("*", lambda event, data=None: heard.put((event, data)), namespace=namespace)
    return client, heard


def wait_for(heard: queue.Queue, event: str, timeout: float) -> dict | None:
    """The first `event` heard within `timeout` seconds, or None."""
    try:
        while True:
            name, data = heard.get(timeout=timeout)
            if name == event:
                return data
    except queue.Empty:
        return None


def test_an_agent_emitting_disconnect_stays_online_for_supervisors(server):
    supervisor, heard = listener("/agent")
    agent, _ = listener("/agent")
    supervisor.connect(server["url"], namespaces=["/agent"], auth={"token": server["tokens"]["supervisor"]},
                       transports=["websocket"], wait_timeout=10)
    try:
        assert wait_for(heard, "agents.changed", 5)["online"] is True  # the supervisor's own
        agent.connect(server["url"], namespaces=["/agent"], auth={"token": server["tokens"]["agent"]},
                      transports=["websocket"], wait_timeout=10)
        assert wait_for(heard, "agents.changed", 5)["online"] is True
        for event in RESERVED:
            agent.emit(event, {"ticket_id": 1}, namespace="/agent")
        assert agent.call("leave_ticket", {}, namespace="/agent", timeout=5) == {"ok": True}  # still served
        assert wait_for(heard, "agents.changed", 1.5) is None  # nobody was told "offline", nor "online" again
        assert agent.connected
        agent.disconnect()
        assert wait_for(heard, "agents.changed", 5) == {"online": False}  # the real one still is heard
    finally:
        agent.disconnect()
        supervisor.disconnect()


def test_a_visitor_emitting_disconnect_still_gets_replies_live(server):
    visitor, heard = listener("/chat")
    visitor.connect(server["url"], namespaces=["/chat"], auth={"key": server["key"]}, headers={"Origin": SHOP},
                    transports=["polling"], wait_timeout=10)
    try:
        assert wait_for(heard, "welcome", 5) is not None
        posted = visitor.call("post_message", {"text": "hello", "client_id": uuid.uuid4().hex}, namespace="/chat",
                              timeout=10)
        assert posted["ok"], posted
        for event in RESERVED:
            visitor.emit(event, {"key": server["key"]}, namespace="/chat")
        assert visitor.call("status", {}, namespace="/chat", timeout=5)["ok"] is True  # still served
        reply = requests.post(f"{server['url']}/api/v1/tickets/{posted['ticket_id']}/replies", timeout=10,
                              headers={"Authorization": f"Bearer {server['tokens']['agent']}"}, json={"body": "hi there"})
        assert reply.status_code == 201, reply.text
        # Had "disconnect" run, the visitor would count as gone: the reply kept as "sent", not pushed.
        assert wait_for(heard, "message_added", 5)["text"] == "hi there"
        assert reply.json()["delivery_state"] == "delivered"
    finally:
        visitor.disconnect()


def test_every_handler_a_client_may_call_is_listed_and_nothing_else():
    from helpdesk.realtime.agents import AgentNamespace
    from helpdesk.webchat.namespace import ChatNamespace

    for namespace in (AgentNamespace, ChatNamespace):
        handlers = {name[3:] for name in dir(namespace) if name.startswith("on_")} - {"connect", "disconnect"}
        assert handlers == namespace.PUBLIC_EVENTS, namespace
