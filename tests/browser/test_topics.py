"""A supervisor opens the Topics report after a refit: the chart is drawn, and a topic's count
leads to the ticket list of exactly those tickets."""

from __future__ import annotations

import uuid

import requests
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD
from tests.web_server import cli_in_process

TEXTS = {
    "refund": ("Refund not received", "Please refund the charge on my credit card"),
    "package": ("Package has not arrived", "My order package was shipped but the delivery is late"),
    "password": ("Password reset link expired", "I cannot log in after the password reset"),
}


def test_a_supervisor_reads_the_topics_report_and_opens_a_topics_tickets(sign_in, live_server):
    headers = {"Authorization": f"Bearer {live_server.token}"}
    made: dict[str, list[int]] = {k: [] for k in TEXTS}
    for n in range(4):
        for key, (subject, body) in TEXTS.items():
            created = requests.post(live_server.url + "/api/v1/tickets", headers=headers, timeout=10, json={
                "customer": {"email": f"{uuid.uuid4().hex[:8]}@customer.example", "name": "Rita"},
                "subject": subject, "body": f"{body} ({n})", "group": "Support"})
            assert created.status_code == 201, created.text
            made[key].append(created.json()["id"])
    with cli_in_process(live_server.env) as helpdesk:
        helpdesk("users", "create", "--email", "tess@staff.example", "--name", "Tess Supervisor",
                 "--role", "supervisor", "--group", "Support", "--password-stdin", stdin=PASSWORD + "\n")
        assert "12 tickets, 3 topics" in helpdesk("topics", "refit", "--topics", "3")

    page = sign_in("tess@staff.example")
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" or "Content Security" in m.text else None)
    page.get_by_role("link", name="Reports").click()
    page.locator("#report-topics-tab").click()
    expect(page.locator("#topics-chart")).to_have_attribute("data-charts", "drawn")
    rows = page.locator("#report-topics tbody tr")
    expect(rows).to_have_count(3)
    refund = rows.filter(has_text="refund")
    expect(refund.locator("td").first).to_have_text("4")
    refund.locator("td").first.get_by_role("link").click()
    expect(page.locator("#topic-filter")).to_contain_text("refund")
    listed = page.locator("#ticket-list tbody tr")
    expect(listed).to_have_count(4)
    for ticket_id in made["refund"]:
        expect(page.locator(f'#ticket-list a[href="/tickets/{ticket_id}"]').first).to_be_visible()
    assert not errors, errors

    # On a phone: the report and the admin page scroll their tables, never the page sideways.
    admin = sign_in("admin@staff.example")
    admin.set_viewport_size({"width": 390, "height": 844})
    for path in ("/reports/topics", "/admin/topics"):
        admin.goto(live_server.url + path)
        width = admin.evaluate("document.scrollingElement.scrollWidth")
        assert width <= admin.evaluate("innerWidth"), (path, width)
    row = admin.locator("#topic-list tbody tr").filter(has=admin.locator("th", has_text="password"))
    row.locator("input[name=name]").fill("Sign-in trouble")
    row.get_by_role("button", name="Rename").click()
    expect(admin.locator("#topic-list")).to_contain_text("Sign-in trouble")
