"""What an agent does all day in the console, in a real browser: saved views with live counts,
notifications, keyboard shortcuts, tickets opened for a caller, splits and links."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect


def create_ticket(live_server, subject: str, body: str = "Hello, I need help", **changes) -> int:
    response = live_server.api("POST", "/api/v1/tickets", json={
        "customer": {"email": f"{uuid.uuid4().hex[:8]}@customer.example", "name": "María López"},
        "subject": subject, "body": body, "group": "Support"})
    assert response.status_code == 201, response.text
    ticket_id = response.json()["id"]
    if changes:
        changed = live_server.api("PATCH", f"/api/v1/tickets/{ticket_id}", json=changes)
        assert changed.status_code == 200, changed.text
    return ticket_id


def test_an_agent_saves_a_view_sees_its_count_live_and_orders_views(sign_in, live_server):
    first = create_ticket(live_server, "Checkout broken", priority="urgent")
    page = sign_in("ana@staff.example")
    expect(page.locator("#saved-views")).to_contain_text("No saved views yet")
    page.locator("select[name=priority]").select_option("urgent")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(f"#ticket-row-{first}")).to_be_visible()
    page.locator("#save-view summary").click()
    page.fill("#save-view-name", "Urgent <b>fires</b>")
    page.locator("#save-view input[name=columns][value=channel]").uncheck()
    page.click("#save-view-submit")
    expect(page).to_have_title(re.compile("Urgent <b>fires</b>"))
    nav_item = page.locator("#saved-views a", has_text="Urgent <b>fires</b>")
    expect(nav_item).to_have_attribute("aria-current", "page")
    count = nav_item.locator(".count")
    start = int(count.inner_text())
    assert start >= 1
    expect(page.locator("#ticket-list th.col-channel")).to_be_hidden()
    expect(page.locator(f"#ticket-row-{first} .col-subject")).to_be_visible()
    page.evaluate("window.__notReloaded = true")
    expect(page.locator("#live-state")).to_have_text("live")
    second = create_ticket(live_server, "Payments down", priority="urgent")
    expect(page.locator("#saved-views a", has_text="Urgent <b>fires</b>").locator(".count")).to_have_text(str(start + 1))
    expect(page.locator(f"#ticket-row-{second}")).to_be_visible()
    assert page.evaluate("window.__notReloaded") is True
    # A second view, then moved before the first in this agent's own order.
    page.goto(live_server.url + "/tickets?view=mine")
    page.locator("#save-view summary").click()
    page.fill("#save-view-name", "Mine")
    page.click("#save-view-submit")
    names = page.locator("#saved-views .saved-view-name")
    expect(names).to_have_text(["Urgent <b>fires</b>", "Mine"])
    page.locator("#saved-views a.arrange").click()
    page.get_by_role("button", name="Move up Mine").click()
    page.goto(live_server.url + "/tickets")
    expect(page.locator("#saved-views .saved-view-name")).to_have_text(["Mine", "Urgent <b>fires</b>"])


def test_a_mention_completes_the_name_and_notifies_the_colleague_live(sign_in, live_server):
    ticket_id = create_ticket(live_server, "Refund twice")
    ben = sign_in("ben@staff.example")
    expect(ben.locator("#live-state")).to_have_text("live")
    expect(ben.locator("#unread-count")).to_be_hidden()
    ana = sign_in("ana@staff.example")
    ana.goto(f"{live_server.url}/tickets/{ticket_id}")
    ana.locator("#composer input[name=internal]").check()
    ana.locator("#reply-body").press_sequentially("Could you check this, @Be")
    option = ana.locator("#mention-list li", has_text="Ben Agent")
    expect(option).to_be_visible()
    ana.locator("#reply-body").press("Enter")
    expect(ana.locator("#reply-body")).to_have_value("Could you check this, @Ben Agent ")
    ana.locator("#reply-body").press_sequentially("please?")
    ana.click("#send-reply")
    expect(ana.locator(".message-note")).to_contain_text("@Ben Agent please?")
    ben.evaluate("window.__notReloaded = true")
    expect(ben.locator("#unread-count")).to_have_text("1")
    expect(ben.locator(".toast-notification")).to_contain_text(f"Ana Agent mentioned you on #{ticket_id} Refund twice")
    assert ben.evaluate("window.__notReloaded") is True
    ben.click("#nav-notifications")
    expect(ben.locator(".notification.unread")).to_contain_text("Ana Agent mentioned you")
    ben.click("#mark-all-read")
    expect(ben.locator(".notification.unread")).to_have_count(0)
    expect(ben.locator("#unread-count")).to_be_hidden()
