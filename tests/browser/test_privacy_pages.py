"""The privacy parts of the console at 390 px and 1366 px: the customer page's consent, export and
erasure, the admin page Privacy; an admin changes consent, adds a retention policy, erases."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_agent_console import create_ticket


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= page.evaluate("innerWidth"), (page.url, width)


def test_privacy_pages_work_on_a_phone_and_a_laptop(sign_in, live_server):
    ticket_id = create_ticket(live_server, "Please forget me")
    customer_id = live_server.api("GET", f"/api/v1/tickets/{ticket_id}").json()["customer"]["id"]
    page = sign_in("admin@staff.example")
    for width in (390, 1366):
        page.set_viewport_size({"width": width, "height": 844})
        page.goto(f"{live_server.url}/customers/{customer_id}")
        expect(page.locator("#customer-privacy")).to_be_visible()
        _no_sideways_scroll(page)
        page.goto(f"{live_server.url}/admin/privacy")
        _no_sideways_scroll(page)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/customers/{customer_id}")
    page.select_option("#consent-marketing select", "yes")
    page.click(".consent-form button[type=submit]")
    expect(page.locator("#consent-marketing")).to_contain_text("agent")
    page.goto(f"{live_server.url}/admin/privacy")
    expect(page.locator(".empty")).to_have_count(2)  # no request, no policy: each says what to do next
    page.select_option(".retention-form select[name=channel]", "email")
    page.fill(".retention-form input[name=days]", "400")
    page.click(".retention-form button[type=submit]")
    expect(page.locator("#retention-email")).to_contain_text("400")
    _no_sideways_scroll(page)
    page.goto(f"{live_server.url}/customers/{customer_id}")
    page.click("details.erase summary")
    page.fill("details.erase input[name=confirm]", str(customer_id))
    page.click("#erase-customer")
    expect(page.locator("h1")).to_contain_text("Erased customer")
    expect(page.locator("#customer-privacy")).to_contain_text("This customer was erased.")
