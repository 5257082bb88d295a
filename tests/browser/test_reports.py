"""A supervisor opens the agent performance report, filters it by group and date, exports CSV."""

from __future__ import annotations

import csv
import io
import time
import uuid
from datetime import UTC, datetime, timedelta

import requests
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD
from tests.web_server import cli_in_process


def _settled(live_server, headers: dict, ticket_id: int) -> bool:
    """True once the ticket's outbound messages left the outbox (their delivery jobs are done)."""
    ticket = requests.get(f"{live_server.url}/api/v1/tickets/{ticket_id}", headers=headers, timeout=10).json()
    return all(m.get("delivery_state") not in ("queued", "sending") for m in ticket["messages"])


def _credited(live_server, metric: str, channel: str, ticket_id: int) -> bool:
    """True once the report job credited `metric` on the ticket (the admin's token reads reports)."""
    found = live_server.api("GET", f"/api/v1/reports/tickets?metric={metric}&dimension=channel&key={channel}").json()
    return any(item["ticket_id"] == ticket_id for item in found["items"])


def _wait(condition, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the background jobs did not finish"
        time.sleep(0.2)


def _work_a_ticket(live_server, token: str, group: str, subject: str) -> int:
    """Create a ticket in `group`, reply to it and solve it, as the owner of `token`. Each step waits
    for the background jobs of the one before (delivery), as an agent reading the page would."""
    headers = {"Authorization": f"Bearer {token}"}
    created = requests.post(live_server.url + "/api/v1/tickets", headers=headers, timeout=10, json={
        "customer": {"email": f"{uuid.uuid4().hex[:8]}@customer.example", "name": "Rita"},
        "subject": subject, "body": "Please help", "group": group})
    assert created.status_code == 201, created.text
    ticket_id = created.json()["id"]
    _wait(lambda: _settled(live_server, headers, ticket_id))
    reply = requests.post(f"{live_server.url}/api/v1/tickets/{ticket_id}/replies", headers=headers, timeout=10,
                          json={"body": "Done for you"})
    assert reply.status_code == 201, reply.text
    channel = created.json()["channel"]
    _wait(lambda: _settled(live_server, headers, ticket_id) and _credited(live_server, "replied", channel, ticket_id))
    solved = requests.patch(f"{live_server.url}/api/v1/tickets/{ticket_id}", headers=headers, timeout=10,
                            json={"status": "solved"})
    assert solved.status_code == 200, solved.text
    _wait(lambda: _credited(live_server, "solved", channel, ticket_id))  # the refresh runs 2 s after a change
    return ticket_id


def test_a_supervisor_filters_the_report_by_group_and_date_and_exports_csv(sign_in, live_server, tmp_path):
    with cli_in_process(live_server.env) as helpdesk:
        helpdesk("users", "create", "--email", "rhea@staff.example", "--name", "Rhea Supervisor",
                 "--role", "supervisor", "--group", "Support", "--password-stdin", stdin=PASSWORD + "\n")
        helpdesk("users", "create", "--email", "bea@staff.example", "--name", "Bea Billing",
                 "--role", "agent", "--group", "Billing", "--password-stdin", stdin=PASSWORD + "\n")
        bea_token = helpdesk("tokens", "create", "--email", "bea@staff.example").strip()
    _work_a_ticket(live_server, live_server.token, "Support", "Printer jam")
    billing_ticket = _work_a_ticket(live_server, bea_token, "Billing", "Refund =SUM(A1)")

    page = sign_in("rhea@staff.example")
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" or "Content Security" in m.text else None)
    page.get_by_role("link", name="Reports").click()
    agents = page.locator("#report-agent tbody")
    for _ in range(20):  # the report job runs in the background of `helpdesk run`
        if agents.locator("tr", has_text="Bea Billing").count() and agents.locator("tr", has_text="Alex Admin").count():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(agents.locator("tr", has_text="Alex Admin")).to_be_visible()
    expect(page.locator("#report")).to_have_attribute("data-charts", "drawn")

    today = datetime.now(UTC).date()
    page.select_option("select[name=group_id]", label="Billing")
    page.fill("input[name=start]", (today - timedelta(days=6)).isoformat())
    page.fill("input[name=end]", today.isoformat())
    page.get_by_role("button", name="Show").click()
    expect(agents.locator("tr")).to_have_count(1)
    bea = agents.locator("tr", has_text="Bea Billing")
    cells = bea.locator("td")
    expect(cells.nth(1)).to_have_text("1")  # replied
    expect(cells.nth(4)).to_have_text("1")  # solved

    bea.locator("td").nth(4).get_by_role("link").click()  # the tickets behind "solved"
    expect(page.locator("#report-tickets tbody tr")).to_have_count(1)
    expect(page.locator("#report-tickets")).to_contain_text(f"#{billing_ticket} Refund =SUM(A1)")
    page.go_back()

    with page.expect_download() as download:
        page.locator("#report-agent h2 a.csv").click()
    path = tmp_path / "agents.csv"
    download.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    assert [(r["label"], r["replied"], r["solved"]) for r in rows] == [("Bea Billing", "1", "1")]
    page.get_by_role("link", name="Groups").click()  # the breakdown by group keeps the filters
    expect(page.locator("#report-group tbody tr")).to_have_count(1)
    expect(page.locator("#report-group tbody tr th")).to_have_text("Billing")
    assert errors == []

    agent = sign_in("ana@staff.example")
    assert agent.goto(live_server.url + "/reports").status == 403
