"""The customer portal in a real browser against `helpdesk run`: sign-in by the link in the mail the
real SMTP server (aiosmtpd) received, tickets of two channels (a mail through Dovecot and a phone
ticket), a reply with a file, close and reopen, no internal note, 404 for another customer's
ticket, an organization manager's view, the same answer for an unknown address, a used or expired
link refused, and the pages at 390 px."""

from __future__ import annotations

import email
import sqlite3
import time
import uuid
from email import policy
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import MAILBOX_USER
from tests.mail.conftest import make_mail
from tests.support import mailed_path


def _mails_to(live_server, address: str) -> list:
    return [m for m in live_server.smtp.messages if address in m.rcpt_tos]


def _wait_for_sign_in_path(live_server, address: str, after: int, seconds: float = 20) -> str:
    """The sign-in path of the first sign-in mail to `address` after its first `after` mails. Other
    mail may arrive in between (an agent's reply is delivered by a job), so the next mail is not
    necessarily the sign-in mail."""
    prefix = "/portal/en/sign-in/"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for mail in _mails_to(live_server, address)[after:]:
            body = email.message_from_bytes(mail.content, policy=policy.default).get_body(("plain",))
            if body is not None and prefix in body.get_content():
                return mailed_path(mail.content, prefix)
        time.sleep(0.2)
    raise AssertionError(f"no sign-in mail to {address} after its first {after}")


def _database(live_server) -> Path:
    return Path(live_server.env["HELPDESK_INSTANCE_DIR"]) / "helpdesk.sqlite3"


def _sql(live_server, statement: str, *args):
    with sqlite3.connect(_database(live_server), timeout=30) as connection:
        rows = connection.execute(statement, args).fetchall()
    return rows


def _ask_for_link(page, live_server, email: str) -> str:
    """Ask for a link in `page` (English); the text the page answered."""
    page.goto(live_server.url + "/portal/en/sign-in")
    page.fill("#portal-email", email)
    page.click("#send-link")
    expect(page.locator("#sign-in-sent")).to_be_visible()
    return page.locator("#sign-in-sent").inner_text()


@pytest.fixture
def portal(browser, live_server):
    """portal(email) -> (page, sign-in path): a fresh browser signed in through the mailed link."""
    contexts = []

    def open_as(email: str):
        context = browser.new_context(locale="en-US")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        before = len(_mails_to(live_server, email))
        _ask_for_link(page, live_server, email)
        path = _wait_for_sign_in_path(live_server, email, before)
        page.goto(live_server.url + path)
        page.click("#use-link")
        page.wait_for_url(live_server.url + "/portal/en/")
        return page, path

    yield open_as
    for context in contexts:
        context.close()


def _ticket(live_server, email: str, subject: str, channel: str = "phone", name: str = "Customer") -> dict:
    answer = live_server.api("POST", "/api/v1/tickets", json={
        "customer": {"email": email, "name": name}, "subject": subject, "body": f"{subject}: details",
        "group": "Support", "channel": channel})
    assert answer.status_code == 201, answer.text
    return answer.json()


def _wait_for_ticket(live_server, subject: str, seconds: float = 20) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        rows = _sql(live_server, "SELECT id FROM tickets WHERE subject = ?", subject)
        if rows:
            return rows[0][0]
        time.sleep(0.3)
    raise AssertionError(f"the mail {subject!r} did not become a ticket")


def test_a_customer_signs_in_by_mail_and_works_on_tickets_of_two_channels(portal, browser, live_server):
    email = f"lucia-{uuid.uuid4().hex[:6]}@customer.example"
    mailed = f"Router keeps rebooting {uuid.uuid4().hex[:4]}"
    live_server.dovecot.deliver(MAILBOX_USER, make_mail(sender=email, subject=mailed, to=MAILBOX_USER))
    mail_id = _wait_for_ticket(live_server, mailed)
    phoned = _ticket(live_server, email, f"Called about the invoice {uuid.uuid4().hex[:4]}")
    note = live_server.api("POST", f"/api/v1/tickets/{mail_id}/replies",
                           json={"body": "INTERNAL: customer is on the watch list", "internal": True})
    assert note.status_code == 201, note.text
    assert live_server.api("POST", f"/api/v1/tickets/{mail_id}/replies",
                           json={"body": "We are resetting your line now."}).status_code == 201
    stranger = _ticket(live_server, f"other-{uuid.uuid4().hex[:6]}@customer.example", "Someone else's trouble")

    page, path = portal(email)
    rows = page.locator("#portal-tickets")
    expect(rows).to_contain_text(mailed)
    expect(rows).to_contain_text(phoned["subject"])
    expect(rows).to_contain_text("via email")
    expect(rows).to_contain_text("via phone")
    expect(rows).not_to_contain_text("Someone else's trouble")

    page.click(f"text={mailed}")
    expect(page.locator("#messages")).to_contain_text("We are resetting your line now.")
    expect(page.locator("body")).not_to_contain_text("INTERNAL")
    expect(page.locator("body")).not_to_contain_text("watch list")

    page.fill("#reply-body", "Here is a photo of the lights")
    page.set_input_files("#reply-files", files=[{"name": "lights.png", "mimeType": "image/png",
                                                 "buffer": b"\x89PNG\r\n\x1a\n" + b"\0" * 32}])
    page.click("#reply button[type=submit]")
    last = page.locator("#messages > li").last
    expect(last).to_contain_text("Here is a photo of the lights")
    expect(last).to_contain_text("lights.png")
    stored = _sql(live_server, "SELECT m.kind, m.channel, a.filename FROM messages m JOIN attachments a "
                               "ON a.message_id = m.id WHERE m.ticket_id = ? ORDER BY m.id DESC LIMIT 1", mail_id)
    assert stored == [("inbound", "portal", "lights.png")]

    page.click("#close")
    expect(page.locator("#ticket-status")).to_contain_text("Solved")
    page.click("#reopen")
    expect(page.locator("#ticket-status")).to_contain_text("Open")
    assert _sql(live_server, "SELECT status FROM tickets WHERE id = ?", mail_id) == [("open",)]

    response = page.goto(live_server.url + f"/portal/en/tickets/{stranger['id']}")
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text("Someone else's trouble")

    # The link was used: in another browser it signs nobody in.
    other = browser.new_context(locale="en-US")
    try:
        again = other.new_page()
        assert again.goto(live_server.url + path).status == 410
        expect(again.locator("#link-refused")).to_have_attribute("data-reason", "used")
        again.goto(live_server.url + "/portal/en/")
        expect(again).to_have_url(live_server.url + "/portal/en/sign-in")
    finally:
        other.close()


def test_an_unknown_address_gets_the_same_answer_and_an_expired_link_is_refused(browser, live_server):
    known = f"known-{uuid.uuid4().hex[:6]}@customer.example"
    _ticket(live_server, known, "Known customer's question")
    unknown = f"nobody-{uuid.uuid4().hex[:6]}@customer.example"
    context = browser.new_context(locale="en-US")
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        said_known = _ask_for_link(page, live_server, known)
        said_unknown = _ask_for_link(page, live_server, unknown)
        assert said_known.replace(known, "@") == said_unknown.replace(unknown, "@")
        path = _wait_for_sign_in_path(live_server, known, 0)
        time.sleep(1)  # the unknown address's request has been handled by now: no mail was sent
        assert _mails_to(live_server, unknown) == []
        _sql(live_server, "UPDATE portal_sign_ins SET expires_at = datetime('now', '-1 minute') WHERE used_at IS NULL")
        assert page.goto(live_server.url + path).status == 410
        expect(page.locator("#link-refused")).to_have_attribute("data-reason", "expired")
    finally:
        context.close()


def test_an_organizations_manager_sees_a_colleagues_ticket_and_a_plain_customer_does_not(portal, live_server):
    domain = f"acme{uuid.uuid4().hex[:6]}.example"
    _sql(live_server, "INSERT INTO organizations (name, domain, created_at) VALUES (?, ?, datetime('now'))",
         f"Acme {domain}", domain)
    boss = _ticket(live_server, f"boss@{domain}", "Boss's own question", name="Bea Boss")
    _ticket(live_server, f"plain@{domain}", "Plain colleague's question", name="Pat Plain")
    colleague = _ticket(live_server, f"carl@{domain}", "Carl's broken laptop", name="Carl Colleague")
    made = live_server.api("PATCH", f"/api/v1/customers/{boss['customer_id']}", json={"org_manager": True})
    assert made.status_code == 200 and made.json()["org_manager"] is True, made.text

    manager, _ = portal(f"boss@{domain}")
    expect(manager.locator("#portal-tickets")).to_contain_text("Carl's broken laptop")
    expect(manager.locator("#portal-tickets")).to_contain_text("Carl Colleague")
    manager.click("text=Carl's broken laptop")
    expect(manager.locator("#messages")).to_contain_text("Carl's broken laptop: details")

    plain, _ = portal(f"plain@{domain}")
    expect(plain.locator("#portal-tickets")).to_contain_text("Plain colleague's question")
    expect(plain.locator("#portal-tickets")).not_to_contain_text("Carl's broken laptop")
    assert plain.goto(live_server.url + f"/portal/en/tickets/{colleague['id']}").status == 404


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def test_the_portal_works_on_a_phone(portal, live_server):
    email = f"phone-{uuid.uuid4().hex[:6]}@customer.example"
    created = _ticket(live_server, email, "A subject long enough to wrap on a narrow phone screen, " * 3)
    page, _ = portal(email)
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/portal/en/", f"/portal/en/tickets/{created['id']}", "/portal/es/", "/portal/tl/privacy", "/portal/zh/sign-in"):
        page.goto(live_server.url + path)
        _no_sideways_scroll(page)
    page.goto(live_server.url + f"/portal/en/tickets/{created['id']}")
    expect(page.locator("#reply-body")).to_be_visible()
    expect(page.locator("input[data-kb-suggest]")).to_be_visible()  # the help center's search in the header
