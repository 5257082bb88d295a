"""From the chat widget straight into the portal: on a shop page that vouches for its signed-in
visitor (identity hash), the widget offers "Your requests", which opens the portal signed in."""

from __future__ import annotations

import functools
import http.server
import uuid

import pytest
from playwright.sync_api import expect

from channels.webchat.identity import identity_hash
from tests.support import free_port, serving_thread
from tests.web_server import cli_in_process

SECRET = "the shop's identity secret"


@pytest.fixture(scope="module")
def shop_with_signed_in_visitor(live_server, tmp_path_factory):
    """(shop URL, e-mail): the shop's page embeds the widget for a visitor it signed in."""
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    with cli_in_process(live_server.env) as helpdesk:
        output = helpdesk("channels", "add-webchat", "vouching-shop", "--origin", origin, "--group", "Support",
                          "--identity-secret-stdin", stdin=SECRET + "\n")
    key = output.split("key ", 1)[1].split()[0]
    email = f"chatter-{uuid.uuid4().hex[:6]}@customer.example"
    root = tmp_path_factory.mktemp("vouching-shop")
    (root / "index.html").write_text(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head><body><h1>Shop</h1>'
        f'<script src="{live_server.url}/widget.js" data-channel="{key}" data-email="{email}" data-name="Chris Chatter" '
        f'data-identity-hash="{identity_hash(SECRET, email)}" async></script></body></html>')

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Quiet, directory=str(root)))
    serving_thread(server).start()
    yield origin, email
    server.shutdown()


def test_a_verified_visitor_opens_their_requests_from_the_widget(browser, live_server, shop_with_signed_in_visitor):
    shop, email = shop_with_signed_in_visitor
    answer = live_server.api("POST", "/api/v1/tickets", json={
        "customer": {"email": email, "name": "Chris Chatter"}, "subject": "Where is my refund?",
        "body": "Refund please", "group": "Support", "channel": "phone"})
    assert answer.status_code == 201, answer.text
    context = browser.new_context(locale="es-ES")
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(shop + "/")
        page.locator(".launcher").click()
        button = page.locator(".portal-link")
        expect(button).to_be_visible()  # the identity hash proved the address
        with context.expect_page() as opened:
            button.click()
        portal = opened.value
        portal.wait_for_url(f"{live_server.url}/portal/es/sign-in/*")
        portal.click("#use-link")
        portal.wait_for_url(f"{live_server.url}/portal/es/")
        expect(portal.locator("#portal-tickets")).to_contain_text("Where is my refund?")
    finally:
        context.close()
