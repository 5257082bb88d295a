"""The console on a phone (390 px) and on a laptop (1366 px): nothing overflows sideways, the
navigation folds into a menu on the phone, lists become cards, the ticket page stacks, and an admin's
long navigation leaves the search box usable. Icons are SVG and the favicon loads (no 404)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_agent_console import create_ticket

PAGES = ("/tickets", "/tickets/{id}", "/dashboard")


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= page.evaluate("innerWidth"), (page.url, width)


def test_console_fits_a_phone_and_a_laptop(sign_in, live_server):
    ticket_id = create_ticket(live_server, "A subject long enough to wrap on a narrow phone screen, " * 2)
    page = sign_in("admin@staff.example")
    failed = []  # pages and assets (the favicon among them); a socket poll cut short by navigating may 400

    def check(response) -> None:
        if response.status >= 400 and "/socket.io/" not in response.url:
            failed.append(f"{response.status} {response.url}")

    page.on("response", check)

    page.set_viewport_size({"width": 390, "height": 844})
    for path in PAGES:
        page.goto(live_server.url + path.format(id=ticket_id))
        _no_sideways_scroll(page)
    page.goto(live_server.url + "/tickets")
    expect(page.locator("#main-nav")).to_be_hidden()
    page.click("#nav-menu-toggle")
    expect(page.locator("#main-nav")).to_be_visible()
    expect(page.locator("#nav-reports")).to_be_visible()
    _no_sideways_scroll(page)
    row = page.locator(f"#ticket-row-{ticket_id}")
    expect(row).to_have_css("display", "flex")  # a card, not a table row
    expect(page.locator("#ticket-list thead")).to_be_hidden()
    page.goto(live_server.url + f"/tickets/{ticket_id}")
    tops = [page.locator(selector).bounding_box()["y"] for selector in ("#thread", "#reply-body", "#properties")]
    assert tops == sorted(tops)  # thread, then composer, then properties

    page.set_viewport_size({"width": 1366, "height": 768})
    for path in PAGES:
        page.goto(live_server.url + path.format(id=ticket_id))
        _no_sideways_scroll(page)
        assert page.locator("header.topbar input[name=q]").bounding_box()["width"] >= 160
        expect(page.locator("#main-nav")).to_be_visible()
    page.goto(live_server.url + f"/tickets/{ticket_id}")
    expect(page.locator(".message-inbound .direction svg.icon")).to_have_count(1)
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(live_server.url + icon).status == 200
    assert page.request.get(live_server.url + "/favicon.ico").status == 200
    assert failed == []
