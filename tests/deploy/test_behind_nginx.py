"""The deployment of deploy/compose.yaml without containers: Debian's nginx with deploy/nginx.conf
(TLS, WebSocket upgrade, sticky sessions) in front of two `helpdesk web` processes, a `helpdesk
worker` and a `helpdesk listen` on PostgreSQL and Redis; an agent and a chat visitor in Chromium
reach the helpdesk only through the proxy."""

from __future__ import annotations

import http.server
import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PASSWORD
from tests.deploy.proxy_stack import NGINX, proxy_config, start_nginx
from tests.support import free_port, reachable_redis, redis_test_url, services_required, serving_thread
from tests.web_server import BIN, cli_in_process, start_server, stop

REDIS_URL = redis_test_url(7)  # flushed: a database of its own (see tests/support.redis_test_url)


@pytest.fixture(scope="module")
def redis_url():
    client = reachable_redis(REDIS_URL)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


def _shop(key_holder: dict) -> tuple[http.server.ThreadingHTTPServer, str]:
    """A customer's site on its own origin that embeds the widget from the proxy's address."""
    port = free_port()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head>'
                    f'<body><h1>Our shop</h1><script src="{key_holder["proxy"]}/widget.js" '
                    f'data-channel="{key_holder["key"]}" async></script></body></html>').encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    serving_thread(server).start()
    return server, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def stack(pg_schema_url, redis_url, tmp_path_factory):
    from tests.conftest import _truncate_all

    if not Path(NGINX).exists():
        services_required("nginx", f"{NGINX} is not installed (apt-get install nginx)")
    if not Path(CHROMIUM).exists():
        services_required("Chromium", f"{CHROMIUM} is not installed (apt-get install chromium)")
    _truncate_all(pg_schema_url)
    folder = tmp_path_factory.mktemp("deploy")
    web_ports, http_port, https_port = (free_port(), free_port()), free_port(), free_port()
    proxy = f"https://127.0.0.1:{https_port}"
    page_holder: dict = {"proxy": proxy}
    shop_server, shop = _shop(page_holder)
    # What deploy/compose.yaml gives every helpdesk process.
    env = dict(os.environ, HELPDESK_DATABASE_URL=pg_schema_url, HELPDESK_REDIS_URL=redis_url,
               HELPDESK_INSTANCE_DIR=str(folder / "instance"), HELPDESK_SECRET_KEY="deploy-test",
               HELPDESK_PUBLIC_URL=proxy, HELPDESK_COOKIE_SECURE="1", HELPDESK_TRUSTED_PROXIES="1",
               HELPDESK_LOGIN_RATE_LIMIT="1000 per minute",
               # gunicorn itself believes X-Forwarded-Proto from 127.0.0.1; in compose nginx has another
               # address, so https must come through HELPDESK_TRUSTED_PROXIES as it does here.
               FORWARDED_ALLOW_IPS="")
    with cli_in_process(env) as helpdesk:
        helpdesk("users", "create", "--email", "ana@staff.example", "--name", "Ana Pérez", "--role", "agent",
                 "--group", "Support", "--password-stdin", stdin=PASSWORD + "\n")
        added = helpdesk("channels", "add-webchat", "shop", "--origin", shop, "--group", "Support", "--no-prechat",
                         "--base-url", proxy)
    page_holder["key"] = re.search(r"key (\S+)", added).group(1)
    procs: list[subprocess.Popen] = []
    try:
        for command in (["worker", "--workers", "2"], ["listen"]):
            procs.append(subprocess.Popen([str(BIN / "helpdesk"), *command], env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        # Both web processes load at once (each pays a few seconds of imports).
        with ThreadPoolExecutor(2) as starting:
            webs = [starting.submit(start_server, env, "web", "--port", str(port), ready_path="/healthz",
                                    timeout=90)
                    for port in web_ports]
            failures = []
            for web in webs:  # each one that started is stopped below, even when the other did not
                try:
                    procs.append(web.result())
                except AssertionError as exc:
                    failures.append(exc)
        if failures:
            raise failures[0]
        procs.append(start_nginx(proxy_config(folder, web_ports, http_port, https_port), proxy))
        yield {"proxy": proxy, "ca": str(folder / "tls" / "fullchain.pem"), "access_log": folder / "access.log", "http": f"http://127.0.0.1:{http_port}", "shop": shop,
               "web": [f"http://127.0.0.1:{p}" for p in web_ports], "procs": procs}
    finally:
        for proc in reversed(procs):
            stop(proc)
        shop_server.shutdown()


def test_health_answers_through_the_proxy_and_metrics_do_not(stack):
    proxy, ca = stack["proxy"], stack["ca"]  # the certificate nginx serves, checked against itself
    health = requests.get(f"{proxy}/healthz", verify=ca, timeout=10)
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    ready = requests.get(f"{proxy}/readyz", verify=ca, timeout=10)
    assert ready.status_code == 200, ready.text
    assert ready.json()["status"] == "ready"
    assert ready.headers["Strict-Transport-Security"].startswith("max-age=")
    assert ready.headers["X-Request-ID"]  # nginx's request id, carried into the app's logs
    # The proxy refuses /metrics; the web processes themselves answer it on the inside network.
    refused = requests.get(f"{proxy}/metrics", verify=ca, timeout=10)
    assert refused.status_code == 403
    assert "helpdesk" not in refused.text
    inside = requests.get(f"{stack['web'][0]}/metrics", timeout=10)
    assert inside.status_code == 200 and "# TYPE" in inside.text
    # Plain HTTP is sent to HTTPS.
    plain = requests.get(f"{stack['http']}/login", allow_redirects=False, timeout=10)
    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://127.0.0.1")


def test_an_agent_and_a_visitor_chat_through_the_proxy(stack):
    from playwright.sync_api import sync_playwright

    proxy = stack["proxy"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            agent = browser.new_context(ignore_https_errors=True).new_page()
            agent.set_default_timeout(15_000)
            agent.goto(f"{proxy}/login")
            agent.fill("input[name=email]", "ana@staff.example")
            agent.fill("input[name=password]", PASSWORD)
            agent.click("button[type=submit]")
            agent.wait_for_url(f"{proxy}/tickets")
            agent.goto(f"{proxy}/chats")
            expect(agent.locator("#live-state")).to_have_text("live")  # the console's socket, through nginx

            shop = browser.new_context(ignore_https_errors=True).new_page()
            shop.set_default_timeout(15_000)
            shop.goto(stack["shop"] + "/")
            shop.click(".launcher")
            expect(shop.locator(".status")).to_have_text("online")
            shop.fill(".composer textarea", "Where is my order 1234?")
            shop.press(".composer textarea", "Enter")
            expect(shop.locator(".msg.visitor .meta").last).to_contain_text("Sent")

            # Live in the agent's queue, no reload.
            waiting = agent.locator("#chats-waiting tbody tr").filter(has_text="Where is my order 1234?")
            expect(waiting).to_be_visible()
            waiting.get_by_role("button", name="Accept").click()
            agent.wait_for_url("**/tickets/*")
            agent.fill("#reply-body", "It left the warehouse today.")
            agent.click("#send-reply")

            answer = shop.locator(".msg.agent").last
            expect(answer.locator(".text")).to_have_text("It left the warehouse today.")
            expect(answer.locator(".meta")).to_contain_text("Ana")
        finally:
            browser.close()
    # nginx's log: the console polls first, every request of a session answered by the process that
    # holds it (sticky), then upgrades that session to a WebSocket (101); the widget opens one at once.
    sockets = [line for line in stack["access_log"].read_text().splitlines() if "/socket.io/" in line]
    polled = [line for line in sockets if "transport=polling" in line and "&sid=" in line]
    upgraded = {re.search(r"sid=([\w-]+)", line).group(1) for line in sockets
                if "transport=websocket&sid=" in line and '" 101 ' in line}
    # 499: the browser itself dropped a pending long-poll (it left the page, or the session moved to
    # its WebSocket); an answer from a process that does not hold the session would be a 400.
    assert polled and all('" 200 ' in line or '" 499 ' in line for line in polled), polled
    assert any(sid in line for line in polled for sid in upgraded), sockets
    assert any("transport=websocket HTTP" in line and '" 101 ' in line for line in sockets), sockets
    # Every process of the topology is still up (the listener idles: no mailbox, no bot).
    assert all(proc.poll() is None for proc in stack["procs"])
