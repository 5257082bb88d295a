"""A live `helpdesk run` server and Debian's Chromium driven by Playwright.

The server is the real embedded set-up (SQLite, in-process job consumer, Socket.IO) in a scratch
instance folder, answering replies through a real SMTP server (aiosmtpd).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import free_port, services_required
from tests.web_server import cli_in_process, server_output, start_server, stop

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "correct horse battery"
# Without these, Chromium keeps trying to reach Google's services on a closed network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@dataclass
class LiveServer:
    url: str
    env: dict
    token: str  # an API token of the admin, for creating tickets "from an integration"
    smtp: object
    dovecot: object
    process: object = None  # the `helpdesk run` process, for its log when a test fails

    def api(self, method: str, path: str, **kwargs):
        import requests

        headers = {"Authorization": f"Bearer {self.token}"}
        return requests.request(method, self.url + path, headers=headers, timeout=10, **kwargs)


MAILBOX_USER = "inbox@helpdesk.example"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, dovecot, sqlite_template):
    from aiosmtpd.controller import Controller

    from tests.conftest import RecordingSmtpHandler

    if not Path(CHROMIUM).exists():
        services_required("Chromium", f"{CHROMIUM} is not installed (apt-get install chromium)")
    handler = RecordingSmtpHandler()
    smtp = Controller(handler, hostname="127.0.0.1", port=free_port())
    smtp.start()
    instance = tmp_path_factory.mktemp("live-instance")
    env = dict(os.environ, HELPDESK_INSTANCE_DIR=str(instance), HELPDESK_SECRET_KEY="browser-tests",
               HELPDESK_SMTP_URL=f"smtp://127.0.0.1:{smtp.port}", HELPDESK_MAIL_FROM="support@helpdesk.example",
               HELPDESK_LOGIN_RATE_LIMIT="1000 per minute", HELPDESK_SLA_SCAN_SECONDS="2",
               HELPDESK_REPORT_DELAY_SECONDS="2")
    for name in ("HELPDESK_DATABASE_URL", "HELPDESK_REDIS_URL"):
        env.pop(name, None)
    # The embedded database's place in the instance folder, migrated (as `helpdesk db upgrade` would).
    shutil.copy(sqlite_template, instance / "helpdesk.sqlite3")
    with cli_in_process(env) as helpdesk:
        for email, name, role, group in (("admin@staff.example", "Alex Admin", "admin", "Support"),
                                         ("ana@staff.example", "Ana Agent", "agent", "Support"),
                                         ("ben@staff.example", "Ben Agent", "agent", "Support")):
            helpdesk("users", "create", "--email", email, "--name", name, "--role", role, "--group", group,
                     "--password-stdin", stdin=PASSWORD + "\n")
        token = helpdesk("tokens", "create", "--email", "admin@staff.example").strip()
        # A support mailbox on the test Dovecot: `helpdesk run` listens to it (IDLE) like production.
        helpdesk("channels", "add-email", "inbox", "--address", MAILBOX_USER, "--imap-host", "127.0.0.1",
                 "--imap-port", str(dovecot.port), "--imap-user", MAILBOX_USER, "--imap-security", "none",
                 "--imap-password-stdin", "--group", "Support", stdin="imap-secret\n")
    port = free_port()
    server = start_server(env, "run", "--port", str(port))
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", env=env, token=token, smtp=handler, dovecot=dovecot,
                         process=server)
    finally:
        stop(server)
        smtp.stop()


@pytest.fixture(scope="module")
def browser(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def sign_in(browser, live_server):
    """sign_in(email) -> a Playwright page of a fresh browser context, signed in to the console."""
    contexts = []

    def open_as(email: str):
        context = browser.new_context()
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(live_server.url + "/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(live_server.url + "/tickets")
        return page

    yield open_as
    for context in contexts:
        context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing browser test's report ends with what the live server logged: a page that waited in
    vain is often explained there (a job's traceback, a request that never finished)."""
    outcome = yield
    report = outcome.get_result()
    if not report.failed or call.when != "call":
        return
    server = getattr(item, "funcargs", {}).get("live_server")
    if isinstance(server, LiveServer) and server.process is not None:
        report.sections.append(("helpdesk run log (last 6,000 characters)", server_output(server.process)[-6000:]))
    # Where each page was when the test gave up (a wait for a URL does not say).
    if (chromium := getattr(item, "funcargs", {}).get("browser")) is not None:
        urls = [page.url for context in chromium.contexts for page in context.pages]
        report.sections.append(("pages open at the failure", "\n".join(urls) or "none"))


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


