"""Scale-out (PostgreSQL, Redis message queue): a rights change made by another process (the
command line) reaches an agent's console on a `helpdesk web` process at once, through the
Socket.IO message queue, not the web process's five-second safety sweep."""

from __future__ import annotations

import os
import time
import uuid

import pytest
import requests

from tests.scaleout.chat_cluster import Listener
from tests.support import free_port, redis_test_url
from tests.web_server import cli_in_process, run_cli, start_server, stop

REDIS_URL = redis_test_url(6)  # flushed: a database of its own (see tests/support.redis_test_url)


@pytest.fixture
def web(pg_schema_url, redis_url, tmp_path):
    from tests.conftest import _truncate_all

    _truncate_all(pg_schema_url)
    env = dict(os.environ, HELPDESK_DATABASE_URL=pg_schema_url, HELPDESK_REDIS_URL=redis_url,
               HELPDESK_INSTANCE_DIR=str(tmp_path / "instance"), HELPDESK_SECRET_KEY="rights-scale-out")
    # Set up without Redis: an app built in this process with a message queue would leave the shared
    # Socket.IO extension on it, and later tests' Socket.IO test clients refuse to run then.
    with cli_in_process({k: v for k, v in env.items() if k != "HELPDESK_REDIS_URL"}) as helpdesk:
        for email, role in (("admin@staff.example", "admin"), ("ana@staff.example", "agent")):
            helpdesk("users", "create", "--email", email, "--name", role.title(), "--role", role, "--group", "Support",
                     "--password-stdin", stdin="correct horse battery\n")
        helpdesk("users", "create", "--email", "bo@staff.example", "--name", "Bo", "--role", "agent", "--group",
                 "Billing", "--password-stdin", stdin="correct horse battery\n")
        tokens = {e: helpdesk("tokens", "create", "--email", e).strip() for e in ("admin@staff.example", "ana@staff.example")}
    port = free_port()
    proc = start_server(env, "web", "--port", str(port), ready_path="/api/v1/openapi.json")
    try:
        yield {"url": f"http://127.0.0.1:{port}", "env": env, "tokens": tokens}
    finally:
        stop(proc)


def test_the_command_line_moves_and_closes_a_console_on_another_process_at_once(web):
    def new_ticket() -> int:
        response = requests.post(web["url"] + "/api/v1/tickets", timeout=10, headers={
            "Authorization": f"Bearer {web['tokens']['admin@staff.example']}"}, json={
            "customer": {"email": f"{uuid.uuid4().hex[:8]}@c.example"}, "body": "Help", "group": "Support"})
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def created(ticket_id, timeout):
        return console.wait_for(lambda e, d: e == "ticket.created" and d.get("ticket_id") == ticket_id, timeout)

    token = web["tokens"]["ana@staff.example"]
    console = Listener("/agent")
    console.client.connect(web["url"], namespaces=["/agent"], auth={"token": token}, transports=["websocket"],
                           wait_timeout=10)
    try:
        assert created(new_ticket(), 10)
        run_cli(web["env"], "users", "update", "--email", "ana@staff.example", "--group", "Billing")
        assert created(new_ticket(), 2) is None, console.heard
        run_cli(web["env"], "users", "disable", "--email", "ana@staff.example")
        done = time.monotonic()
        while console.client.connected and time.monotonic() - done < 1.0:
            time.sleep(0.02)
        assert not console.client.connected, "still connected a second after the command line switched the user off"
        me = requests.get(web["url"] + "/api/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert me.status_code == 401
    finally:
        console.close()
