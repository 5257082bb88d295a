"""The chat widget's pre-chat form asks about surveys; the answer is recorded as the customer's consent."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.test_webchat import shop, visitor  # noqa: F401 - the shop page with the widget, a visitor on it


def test_a_visitor_who_unticks_surveys_is_recorded_as_opted_out(live_server, visitor):  # noqa: F811
    page = visitor()
    page.click(".launcher")
    box = page.locator(".prechat input[name=consent_surveys]")
    expect(box).to_be_checked()
    box.uncheck()
    page.click(".prechat button[type=submit]")
    page.fill(".composer textarea", "No surveys for me, thanks")
    page.press(".composer textarea", "Enter")
    expect(page.locator(".msg.visitor .meta").last).to_contain_text("Sent")
    database = Path(live_server.env["HELPDESK_INSTANCE_DIR"]) / "helpdesk.sqlite3"
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT c.purpose, c.granted, c.source FROM consents c JOIN tickets t ON t.customer_id = c.customer_id "
            "JOIN messages m ON m.ticket_id = t.id WHERE m.body_text = 'No surveys for me, thanks'").fetchall()
    assert rows == [("surveys", 0, "widget")]
