"""A mail that lands in the support mailbox shows up in an agent's open list without a reload."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

from tests.browser.conftest import MAILBOX_USER
from tests.mail.conftest import make_mail


def test_a_mail_appended_to_the_inbox_appears_in_the_open_list(sign_in, live_server):
    page = sign_in("ana@staff.example")
    expect(page.locator("#live-state")).to_have_text("live")
    page.evaluate("window.__notReloaded = true")
    subject = f"Invoice question {uuid.uuid4().hex[:6]}"
    live_server.dovecot.deliver(MAILBOX_USER, make_mail(subject=subject, to=MAILBOX_USER))
    expect(page.locator("#ticket-rows")).to_contain_text(subject, timeout=15_000)
    assert page.evaluate("window.__notReloaded") is True
