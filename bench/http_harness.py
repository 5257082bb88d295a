"""A `helpdesk web` server in a subprocess, and signing in to it (or to a test client) through /login."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from bench import common

BIN = Path(sys.executable).parent
_CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]*)"|<input[^>]*value="([^"]*)"[^>]*name="csrf_token"')


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def csrf_token(html: str) -> str:
    """The hidden csrf_token of a form; ValueError when the page has none."""
    match = _CSRF.search(html)
    if not match:
        raise ValueError("no csrf_token input on the page")
    return match.group(1) or match.group(2)


class Server:
    """`helpdesk web --port P` against `url`, as an operator starts it; a context manager.
    `command` "run" starts the embedded process (jobs and listeners in it); `env` adds variables
    (HELPDESK_REDIS_URL is dropped unless given there)."""

    def __init__(self, url: str, port: int | None = None, *, command: str = "web", env: dict | None = None) -> None:
        self.url = url
        self.command = command
        self.extra_env = env or {}
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log = common.RESULTS / f"server-{self.port}.log"

    def __enter__(self) -> Server:
        env = os.environ | {"HELPDESK_DATABASE_URL": common.engine_url(self.url), "HELPDESK_ENV": "production"}
        env.pop("HELPDESK_REDIS_URL", None)
        env |= self.extra_env
        common.RESULTS.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen([str(BIN / "helpdesk"), self.command, "--host", "127.0.0.1", "--port", str(self.port)],
                                         env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"helpdesk {self.command} exited: see {self.log}")
            try:
                requests.get(self.base + "/login", timeout=2)
                return self
            except requests.ConnectionError:
                time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError(f"helpdesk {self.command} did not answer within 60 s: see {self.log}")

    def __exit__(self, *exc) -> None:
        if self.proc is None:
            return
        stop(self.proc)
        self.proc = None


def stop(proc: subprocess.Popen) -> None:
    """Terminate a server process, killing it if it does not stop within 10 s."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def login_http(base: str, email: str, password: str = common.PASSWORD) -> requests.Session:
    """A requests.Session signed in through the real form (CSRF token parsed from GET /login)."""
    session = requests.Session()
    form = session.get(base + "/login", timeout=30)
    form.raise_for_status()
    answer = session.post(base + "/login", timeout=30, allow_redirects=False,
                          data={"csrf_token": csrf_token(form.text), "email": email, "password": password})
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in as {email} failed: HTTP {answer.status_code}")
    return session


def login_client(client, email: str, password: str = common.PASSWORD) -> None:
    """Sign a Flask test client in through the real form, CSRF token included."""
    form = client.get("/login")
    html = form.get_data(as_text=True)
    data = {"email": email, "password": password}
    if 'name="csrf_token"' in html:
        data["csrf_token"] = csrf_token(html)
    answer = client.post("/login", data=data)
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in as {email} failed: HTTP {answer.status_code}")
