"""Against a real `helpdesk run` (the embedded set-up) with a real Socket.IO client: an agent's
open console follows their rights. A change through the API applies at once; one made by the
command line (another process, no Redis) within the server's one-second sweep."""

from __future__ import annotations

import os
import shutil
import time
import uuid

import pytest
import requests

from tests.scaleout.chat_cluster import Listener
from tests.support import free_port
from tests.web_server import cli_in_process, run_cli, start_server, stop

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def server(tmp_path_factory, sqlite_template):
    instance = tmp_path_factory.mktemp("rights-instance")
    env = dict(os.environ, HELPDESK_INSTANCE_DIR=str(instance), HELPDESK_SECRET_KEY="rights-test")
    for name in ("HELPDESK_DATABASE_URL", "HELPDESK_REDIS_URL", "HELPDESK_SMTP_URL"):
        env.pop(name, None)
    shutil.copy(sqlite_template, instance / "helpdesk.sqlite3")
    with cli_in_process(env) as helpdesk:
        helpdesk("users", "create", "--email", "admin@staff.example", "--name", "Alex", "--role", "admin",
                 "--group", "Support", "--password-stdin", stdin=PASSWORD + "\n")
        helpdesk("users", "create", "--email", "billing@staff.example", "--name", "Bo", "--role", "agent",
                 "--group", "Billing", "--password-stdin", stdin=PASSWORD + "\n")
        admin_token = helpdesk("tokens", "create", "--email", "admin@staff.example").strip()
    port = free_port()
    proc = start_server(env, "run", "--port", str(port))
    try:
        yield {"url": f"http://127.0.0.1:{port}", "env": env, "admin": admin_token}
    finally:
        stop(proc)


def _agent(server) -> tuple[str, str]:
    """A new Support agent created through the API: (e-mail, API token)."""
    email = f"agent-{uuid.uuid4().hex[:6]}@staff.example"
    with cli_in_process(server["env"]) as helpdesk:
        helpdesk("users", "create", "--email", email, "--name", "Ana", "--role", "agent", "--group", "Support",
                 "--password-stdin", stdin=PASSWORD + "\n")
        return email, helpdesk("tokens", "create", "--email", email).strip()


def _api(server, method, path, token=None, **kwargs):
    headers = {"Authorization": f"Bearer {token or server['admin']}"}
    return requests.request(method, server["url"] + "/api/v1" + path, headers=headers, timeout=10, **kwargs)


def _new_ticket(server) -> int:
    response = _api(server, "POST", "/tickets", json={"customer": {"email": f"{uuid.uuid4().hex[:8]}@c.example"},
                                                       "subject": "Help", "body": "Please help", "group": "Support"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _connect(server, token) -> Listener:
    listener = Listener("/agent")
    listener.client.connect(server["url"], namespaces=["/agent"], auth={"token": token}, transports=["websocket"],
                            wait_timeout=10)
    return listener


def _created(listener, ticket_id, timeout):
    return listener.wait_for(lambda e, d: e == "ticket.created" and d.get("ticket_id") == ticket_id, timeout)


def _gone_within(listener, seconds: float) -> float | None:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if not listener.client.connected:
            return time.monotonic() - start
        time.sleep(0.02)
    return None


def test_an_api_change_of_groups_and_switching_off_apply_to_the_open_console_at_once(server):
    email, token = _agent(server)
    me = _api(server, "GET", "/me", token).json()
    console = _connect(server, token)
    try:
        assert _created(console, _new_ticket(server), 10)
        assert _api(server, "PATCH", f"/users/{me['id']}", json={"groups": ["Billing"]}).status_code == 200
        second = _new_ticket(server)
        assert _created(console, second, 2) is None, console.heard
        assert console.client.connected
        assert _api(server, "PATCH", f"/users/{me['id']}", json={"active": False}).status_code == 200
        assert _gone_within(console, 1.0) is not None, "still connected a second after being switched off"
        assert _api(server, "GET", "/me", token).status_code == 401
    finally:
        console.close()


def test_the_command_line_reaches_the_running_server(server):
    email, token = _agent(server)
    console = _connect(server, token)
    try:
        run_cli(server["env"], "users", "update", "--email", email, "--group", "Billing")
        time.sleep(1.5)  # the sweep runs every second
        assert _created(console, _new_ticket(server), 2) is None, console.heard
        run_cli(server["env"], "users", "disable", "--email", email)
        assert _gone_within(console, 2.0) is not None, "the command line's switch-off did not reach the console"
        assert _api(server, "GET", "/me", token).status_code == 401
    finally:
        console.close()
