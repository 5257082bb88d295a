"""What an agent does in a real browser: tickets appear, replies go out, colleagues show up live."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect


def create_ticket(live_server, subject: str, body: str = "Hello, I need help") -> int:
    response = live_server.api("POST", "/api/v1/tickets", json={
        "customer": {"email": f"{uuid.uuid4().hex[:8]}@customer.example", "name": "María López"},
        "subject": subject, "body": body, "group": "Support"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_new_ticket_appears_without_reload_and_the_reply_is_delivered(sign_in, live_server):
    page = sign_in("ana@staff.example")
    expect(page.locator("#live-state")).to_have_text("live")
    page.evaluate("window.__notReloaded = true")
    ticket_id = create_ticket(live_server, "Printer on fire <script>alert(1)</script>")
    row = page.locator(f"#ticket-row-{ticket_id}")
    expect(row).to_be_visible()
    expect(row).to_contain_text("Printer on fire <script>alert(1)</script>")
    assert page.evaluate("window.__notReloaded") is True  # the row came live, not by a reload
    row.get_by_role("link", name=re.compile("Printer on fire")).click()
    page.wait_for_url(f"**/tickets/{ticket_id}")
    expect(page.locator("#live-state")).to_have_text("live")
    page.fill("#reply-body", "We are on it, María.")
    page.click("#send-reply")
    reply = page.locator(".message-outbound").filter(has_text="We are on it, María.")
    expect(reply.locator(".delivery")).to_have_text("sent")
    delivered = [e for e in live_server.smtp.messages if f"[#{ticket_id}]".encode() in e.content]
    assert len(delivered) == 1


def test_colleagues_see_presence_notes_and_changes_live(sign_in, live_server):
    ticket_id = create_ticket(live_server, "Shared ticket")
    ana = sign_in("ana@staff.example")
    ben = sign_in("ben@staff.example")
    ana.goto(f"{live_server.url}/tickets/{ticket_id}")
    ben.goto(f"{live_server.url}/tickets/{ticket_id}")
    expect(ana.locator("#presence")).to_have_text("Ben Agent is viewing")
    expect(ben.locator("#presence")).to_have_text("Ana Agent is viewing")
    ben.locator("#reply-body").press_sequentially("Looking into")
    expect(ana.locator("#presence")).to_have_text("Ben Agent is replying")
    ana.evaluate("window.__notReloaded = true")
    ben.locator("input[name=internal]").check()
    ben.click("#send-reply")
    expect(ana.locator(".message-note")).to_contain_text("Looking into")
    ben.locator("#properties select[name=status]").select_option("pending")
    ben.locator("#properties button[type=submit]").click()
    expect(ana.locator("#properties select[name=status]")).to_have_value("pending")
    assert ana.evaluate("window.__notReloaded") is True
    ben.close()
    expect(ana.locator("#presence")).to_have_text("")


def test_the_page_catches_up_after_a_lost_connection(sign_in, live_server):
    ticket_id = create_ticket(live_server, "Flaky wifi")
    ana = sign_in("ana@staff.example")
    ana.goto(f"{live_server.url}/tickets/{ticket_id}")
    expect(ana.locator("#live-state")).to_have_text("live")
    ana.wait_for_timeout(600)  # let the catch-up that follows every connect finish first
    ana.evaluate("window.helpdeskSocket.disconnect()")
    expect(ana.locator("#live-state")).not_to_have_text("live")
    missed = live_server.api("POST", f"/api/v1/tickets/{ticket_id}/replies",
                             json={"body": "Written while Ana was offline", "internal": True})
    assert missed.status_code == 201, missed.text
    ana.wait_for_timeout(500)
    expect(ana.locator(".message-note")).to_have_count(0)
    ana.evaluate("window.helpdeskSocket.connect()")
    expect(ana.locator(".message-note")).to_contain_text("Written while Ana was offline")


def test_header_search_finds_what_agents_type(sign_in, live_server):
    """The misses of issue 16: numbers in subjects, ticket numbers, accents, typos, Chinese, filters."""
    def ticket(subject: str, body: str, name: str = "Pat Example") -> int:
        response = live_server.api("POST", "/api/v1/tickets", json={
            "customer": {"email": f"{uuid.uuid4().hex[:8]}@customer.example", "name": name},
            "subject": subject, "body": body, "group": "Support"})
        assert response.status_code == 201, response.text
        return response.json()["id"]

    error = ticket("Checkout shows error 500", "It fails at the last step")
    order = ticket("Parcel 5521 never arrived", "Where is it?")
    accented = ticket("Cambio de dirección", "Necesito ayuda", name="Renée Gutiérrez")
    typo = ticket("Cannot sign in", "I forgot my passphrase yesterday <b>again</b>")
    chinese = ticket("账户问题", "我无法重置密码")
    page = sign_in("ana@staff.example")
    box = page.get_by_role("search").get_by_label("Search tickets")
    for query, expected in (("500", error), ("5521", order), (f"#{accented}", accented), ("Gutierrez", accented),
                            ("passphrse", typo), ("重置密码", chinese), ("status:new customer:gutierrez", accented)):
        box.fill(query)
        box.press("Enter")
        page.wait_for_url("**/tickets?*")
        row = page.locator(f"#ticket-row-{expected}")
        expect(row).to_be_visible()
        box = page.get_by_role("search").get_by_label("Search tickets")
    expect(page.locator(f"#ticket-row-{accented} mark").first).to_be_visible()
    box.fill("passphrse")
    box.press("Enter")
    expect(page.locator("#search-corrected")).to_contain_text("passphrase")
    expect(page.locator(f"#ticket-row-{typo} .search-snippet")).to_contain_text("<b>again</b>")
