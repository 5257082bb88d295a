"""Scale-out: separate web and worker processes on PostgreSQL, Redis as job broker and socket fan-out.

A reply posted to one web process is delivered by a worker process over SMTP, and the delivery
state reaches an agent's socket connected to the web process, through Redis.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests
import socketio

from tests.support import free_port
from tests.web_server import cli_in_process, start_server, stop

BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("HELPDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def cluster_env(pg_schema_url, redis_url, tmp_path, smtp_port):
    from tests.conftest import _truncate_all

    _truncate_all(pg_schema_url)
    env = dict(os.environ, HELPDESK_DATABASE_URL=pg_schema_url, HELPDESK_REDIS_URL=redis_url,
               HELPDESK_INSTANCE_DIR=str(tmp_path / "instance"), HELPDESK_SECRET_KEY="scale-out-test",
               HELPDESK_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}", HELPDESK_MAIL_FROM="support@helpdesk.example")
    return env


@pytest.fixture
def smtp_port():
    from aiosmtpd.controller import Controller

    from tests.conftest import RecordingSmtpHandler

    handler = RecordingSmtpHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    controller.handler_ref = handler
    yield controller.port
    controller.stop()


def test_reply_flows_through_redis_worker_and_socket_fan_out(cluster_env):
    env = cluster_env
    with cli_in_process(env) as helpdesk:
        helpdesk("users", "create", "--email", "ana@staff.example", "--name", "Ana", "--role", "agent",
                 "--group", "Support", "--password-stdin", stdin="correct horse battery\n")
        token = helpdesk("tokens", "create", "--email", "ana@staff.example").strip()
    port = free_port()
    web = start_server(env, "web", "--port", str(port), ready_path="/api/v1/openapi.json")
    worker = subprocess.Popen([str(BIN / "helpdesk"), "worker", "--workers", "1"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    heard: list[tuple[str, dict]] = []
    got_sent = threading.Event()
    sio = socketio.Client()

    @sio.on("*", namespace="/agent")
    def any_event(event, data):
        heard.append((event, data))
        if event == "message.updated" and data.get("delivery_state") == "sent":
            got_sent.set()

    try:
        base = f"http://127.0.0.1:{port}"
        sio.connect(base, namespaces=["/agent"], auth={"token": token}, transports=["websocket"], wait_timeout=10)
        headers = {"Authorization": f"Bearer {token}"}
        created = requests.post(base + "/api/v1/tickets", headers=headers, timeout=10, json={
            "customer": {"email": "maria@customer.example", "name": "María"}, "subject": "Scale-out", "body": "hello"})
        assert created.status_code == 201, created.text
        ticket_id = created.json()["id"]
        reply = requests.post(f"{base}/api/v1/tickets/{ticket_id}/replies", headers=headers, timeout=10,
                              json={"body": "answered by the worker"})
        assert reply.status_code == 201, reply.text
        assert got_sent.wait(30), f"no delivery event; heard {[e for e, _ in heard]}"
        events = [e for e, _ in heard]
        assert "ticket.created" in events and "message.created" in events
        state = requests.get(f"{base}/api/v1/tickets/{ticket_id}", headers=headers, timeout=10).json()
        outbound = [m for m in state["messages"] if m["kind"] == "outbound"]
        assert [m["delivery_state"] for m in outbound] == ["sent"]
    finally:
        if sio.connected:
            sio.disconnect()
        for proc in (web, worker):
            stop(proc)
