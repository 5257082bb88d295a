"""Two `helpdesk web` processes and a worker on one PostgreSQL schema, with a chat widget and an
agent, and a Socket.IO client that records what it hears: what the chat scale-out tests share."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import socketio

from tests.support import free_port
from tests.web_server import cli_in_process, start_server, stop

BIN = Path(sys.executable).parent
SHOP = "https://shop.example"


def start_cluster(pg_schema_url: str, redis_urls: tuple[str, str], instance: Path):
    """Generator for a fixture: web process a on redis_urls[0] (with the worker), b on
    redis_urls[1]; yields {"a", "b": base URLs, "token": the agent's API token, "key": the widget's}."""
    from tests.conftest import _truncate_all

    _truncate_all(pg_schema_url)
    env = dict(os.environ, HELPDESK_DATABASE_URL=pg_schema_url, HELPDESK_REDIS_URL=redis_urls[0],
               HELPDESK_INSTANCE_DIR=str(instance), HELPDESK_SECRET_KEY="webchat-scale-out-test")
    with cli_in_process(env) as helpdesk:
        helpdesk("users", "create", "--email", "ana@staff.example", "--name", "Ana Pérez", "--role", "agent",
                 "--group", "Support", "--password-stdin", stdin="correct horse battery\n")
        token = helpdesk("tokens", "create", "--email", "ana@staff.example").strip()
        added = helpdesk("channels", "add-webchat", "shop", "--origin", SHOP, "--group", "Support", "--no-prechat")
    key = re.search(r"key (\S+)", added).group(1)
    ports = (free_port(), free_port())
    procs = []
    try:
        for port, redis_url in zip(ports, redis_urls, strict=True):
            procs.append(start_server(dict(env, HELPDESK_REDIS_URL=redis_url), "web", "--port", str(port),
                                      ready_path="/api/v1/openapi.json"))
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
            return self._changed.wait_for(lambda: next((e for e in self.heard if test(*e)), None), timeout)

    def close(self) -> None:
        if self.client.connected:
            self.client.disconnect()
