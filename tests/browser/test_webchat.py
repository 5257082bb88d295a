"""A customer's site embeds the chat widget; a visitor chats with an agent working the console.

The customer page is served by its own little HTTP server on another port (another origin), with
a strict CSP of its own and a hostile style sheet, as a real shop's page would be.
"""

from __future__ import annotations

import functools
import http.server
import time

import pytest
from playwright.sync_api import expect

from tests.support import free_port, serving_thread
from tests.web_server import cli_in_process

SHOP_CSS = "* { color: red !important; font-size: 40px !important; } button { display: none !important; }"


def shop_page(helpdesk: str, key: str) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shop</title>
<link rel="stylesheet" href="/shop.css"></head>
<body><h1>Our shop</h1><p>Buy things.</p>
<script src="/violations.js"></script>
<script src="{helpdesk}/widget.js" data-channel="{key}" async></script>
</body></html>"""


VIOLATIONS_JS = """window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => window.cspViolations.push(e.violatedDirective + " " + e.blockedURI));"""


@pytest.fixture(scope="module")
def shop(live_server, tmp_path_factory):
    """The customer's site on its own origin, with the widget's snippet pasted in."""
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    with cli_in_process(live_server.env) as helpdesk:
        output = helpdesk("channels", "add-webchat", "shop", "--origin", origin, "--group", "Support",
                          "--base-url", live_server.url, "--title", "Shop help", "--colour", "#0a7d4f",
                          "--position", "bottom-left")
    key = output.split("key ", 1)[1].split()[0]
    root = tmp_path_factory.mktemp("shop")
    (root / "index.html").write_text(shop_page(live_server.url, key))
    (root / "shop.css").write_text(SHOP_CSS)
    (root / "violations.js").write_text(VIOLATIONS_JS)
    # The shop's own policy: scripts and connections to itself and the helpdesk, no inline styles.
    csp = (f"default-src 'self'; script-src 'self' {live_server.url}; style-src 'self'; "
           f"connect-src 'self' {live_server.url} {live_server.url.replace('http', 'ws')}; img-src 'self'")

    class Handler(http.server.SimpleHTTPRequestHandler):
        def end_headers(self):
            self.send_header("Content-Security-Policy", csp)
            super().end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Handler, directory=str(root)))
    serving_thread(server).start()
    yield origin
    server.shutdown()


@pytest.fixture
def visitor(browser, shop):
    """visitor() -> a page of a fresh browser (its own localStorage) on the shop, widget loaded."""
    contexts = []

    def open_shop(context=None):
        if context is None:
            context = browser.new_context()
            contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(shop + "/")
        expect(page.locator(".launcher")).to_be_visible()
        return page

    yield open_shop
    for context in contexts:
        context.close()


def test_the_widget_wears_its_title_colour_and_corner(visitor):
    shop = visitor()
    launcher = shop.locator(".launcher")
    expect(launcher).to_have_css("background-color", "rgb(10, 125, 79)")
    assert launcher.bounding_box()["x"] < shop.viewport_size["width"] / 2  # bottom-left
    launcher.click()
    expect(shop.locator(".panel .title")).to_have_text("Shop help")  # not the slug "shop"
    expect(shop.locator(".panel .head")).to_have_css("background-color", "rgb(10, 125, 79)")
    assert shop.evaluate("window.cspViolations") == []


def test_a_visitor_chats_with_an_agent_live(sign_in, live_server, visitor):
    agent = sign_in("ana@staff.example")
    agent.goto(live_server.url + "/chats")
    expect(agent.locator("#live-state")).to_have_text("live")
    agent.evaluate("window.__notReloaded = true")

    shop = visitor()
    shop.click(".launcher")
    expect(shop.locator(".status")).to_have_text("online")
    shop.fill(".prechat input[name=name]", "María <b>López</b>")
    shop.fill(".prechat input[name=topic]", "Order 42 <script>")
    shop.click(".prechat button[type=submit]")
    shop.fill(".composer textarea", "Where is my order? <img src=x onerror=alert(1)>")
    shop.press(".composer textarea", "Enter")
    mine = shop.locator(".msg.visitor").last
    expect(mine.locator(".text")).to_have_text("Where is my order? <img src=x onerror=alert(1)>")
    expect(mine.locator(".meta")).to_contain_text("Sent")

    # The agent's queue shows the chat without a reload, and the title rings.
    waiting = agent.locator("#chats-waiting tbody tr").filter(has_text="Order 42 <script>")
    expect(waiting).to_be_visible()
    expect(agent).to_have_title("(1) New chat · Live chat · helpdesk")
    assert agent.evaluate("window.__notReloaded") is True
    waiting.get_by_role("button", name="Accept").click()
    agent.wait_for_url("**/tickets/*")
    expect(agent.locator("#live-state")).to_have_text("live")
    expect(mine.locator(".meta")).to_contain_text("Seen")  # the agent opened the chat

    # Typing shows both ways.
    shop.locator(".composer textarea").press_sequentially("One more thing")
    expect(agent.locator("#chat-typing")).to_be_visible()
    agent.locator("#reply-body").press_sequentially("Your order ships today, María.")
    expect(shop.locator(".typing")).to_have_text("Ana is typing…")
    agent.click("#send-reply")

    answer = shop.locator(".msg.agent").last
    expect(answer.locator(".text")).to_have_text("Your order ships today, María.")
    expect(answer.locator(".meta")).to_contain_text("Ana")
    expect(shop.locator(".typing")).to_be_hidden()
    delivery = agent.locator(".message-outbound").filter(has_text="Your order ships today").locator(".delivery")
    expect(delivery).to_have_text("read")  # emitted to the open widget, then seen there

    # The shop's CSS never reached the panel, its CSP was never violated, no HTML was interpreted.
    assert shop.evaluate("getComputedStyle(document.querySelector('h1')).color") == "rgb(255, 0, 0)"
    assert shop.locator(".launcher").evaluate("e => getComputedStyle(e).display") != "none"
    assert shop.locator(".msg.visitor .text").first.evaluate("e => getComputedStyle(e).color") != "rgb(255, 0, 0)"
    assert shop.evaluate("window.cspViolations") == []
    assert shop.locator(".msg img").count() == 0


def test_a_returning_visitor_sees_their_history_and_nobody_else_does(live_server, visitor):
    first = visitor()
    first.click(".launcher")
    first.click(".prechat button[type=submit]")
    first.fill(".composer textarea", "My secret order number is 7781")
    first.press(".composer textarea", "Enter")
    expect(first.locator(".msg.visitor .meta").last).to_contain_text("Sent")

    again = visitor(first.context)  # same browser, later: the token in localStorage continues the chat
    again.click(".launcher")
    expect(again.locator(".msg.visitor .text")).to_have_text(["My secret order number is 7781"])
    expect(again.locator(".prechat")).to_be_hidden()

    stranger = visitor()
    stranger.click(".launcher")
    expect(stranger.locator(".prechat")).to_be_visible()
    expect(stranger.locator(".msg")).to_have_count(0)


def test_the_widget_tells_a_visitor_when_an_address_had_its_confirmation_mails(live_server, visitor):
    address = "bombed@victim.example"

    def mails_to_address() -> int:
        return sum(address in m.rcpt_tos for m in live_server.smtp.messages)

    for n in range(4):  # four new visitors (fresh browsers) ask to confirm the same address
        page = visitor()
        page.click(".launcher")
        page.fill(".prechat input[name=email]", address)
        page.click(".prechat button[type=submit]")
        if n < 3:
            expect(page.locator(".notice.error")).to_be_hidden()
            deadline = time.monotonic() + 10
            while mails_to_address() < n + 1 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert mails_to_address() == n + 1
    expect(page.locator(".notice.error")).to_contain_text("as many confirmation e-mails as we send")
    time.sleep(0.5)
    assert mails_to_address() == 3
