"""A supervisor watches the SLA dashboard while a ticket with a short SLA crosses warning and breach."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD
from tests.web_server import cli_in_process

# Calendar time, so the test does not depend on the hour: warning after 8 s, breach after 16 s.
SHORT_POLICY = {"name": "Very short", "targets": [
    {"kind": "first_response", "goal_seconds": 16, "business_time": False, "warning_fraction": 0.5}]}


def test_the_dashboard_follows_a_ticket_through_warning_and_breach(sign_in, live_server):
    with cli_in_process(live_server.env) as helpdesk:
        helpdesk("users", "create", "--email", "sue@staff.example", "--name", "Sue Supervisor",
                 "--role", "supervisor", "--group", "Support", "--password-stdin", stdin=PASSWORD + "\n")
    created = live_server.api("POST", "/api/v1/sla/policies", json=SHORT_POLICY)
    assert created.status_code == 201, created.text
    page = sign_in("sue@staff.example")
    violations = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
    page.goto(live_server.url + "/dashboard")
    expect(page.locator("#live-state")).to_have_text("live")
    expect(page.locator("#sla-chart")).to_be_visible()
    # A locator, not wait_for_function: when the first check fails, Playwright polls a string
    # predicate through eval, which the console's CSP (rightly) refuses.
    expect(page.locator("#sla-dashboard")).to_have_attribute("data-live", "1")
    page.evaluate("window.__notReloaded = true")
    expect(page.locator("#count-ok")).to_have_text("0")
    expect(page.locator("#breaches-today")).to_have_text("0")

    response = live_server.api("POST", "/api/v1/tickets", json={
        "customer": {"email": f"{uuid.uuid4().hex[:8]}@customer.example", "name": "Kenji"},
        "subject": "Checkout <b>down</b>", "body": "Nobody can pay", "group": "Support"})
    assert response.status_code == 201, response.text
    ticket_id = response.json()["id"]
    expect(page.locator("#count-ok")).to_have_text("1")

    at_risk = page.locator(f"#at-risk li[data-ticket-id='{ticket_id}']")
    expect(at_risk).to_be_visible(timeout=20_000)  # warning after 8 s, seen by a scan every 2 s
    expect(at_risk).to_contain_text("Checkout <b>down</b>")
    expect(at_risk.locator(".sla-clock")).to_have_text(re.compile(r"^\d+s left$"))
    expect(page.locator("#count-warning")).to_have_text("1")
    expect(page.locator("#count-ok")).to_have_text("0")

    expect(page.locator("#count-breached")).to_have_text("1", timeout=20_000)
    expect(at_risk).to_have_count(0)
    expect(page.locator("#breaches-today")).to_have_text("1")
    expect(page.locator("#count-warning")).to_have_text("0")
    assert page.evaluate("window.__notReloaded") is True  # everything above came live
    assert violations == []  # the chart library works under `script-src 'self'; style-src 'self'`

    agent = sign_in("ana@staff.example")
    row = agent.locator(f"#ticket-row-{ticket_id} .sla-clock")
    expect(row).to_have_text(re.compile(r"^overdue \d+s$"))
    assert agent.goto(live_server.url + "/dashboard").status == 404


def test_an_admin_adds_a_calendar_and_a_policy_and_previews_it(sign_in, live_server):
    for policy in live_server.api("GET", "/api/v1/sla/policies").json():  # start from no policy at all
        assert live_server.api("DELETE", f"/api/v1/sla/policies/{policy['id']}").status_code == 204
    page = sign_in("admin@staff.example")
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.get_by_role("link", name="SLA").click()
    page.get_by_role("link", name="New calendar").click()
    page.fill("input[name=name]", "Office")
    page.fill("input[name=timezone]", "Europe/Madrid")
    for day in ("mon", "tue", "wed", "thu", "fri"):
        page.fill(f"input[name=hours_{day}]", "09:00-14:00, 15:00-18:00")
    page.fill("input[name=country]", "ES")
    page.click("form.sla-form button[type=submit]")
    expect(page.locator(".flash-ok")).to_contain_text("Calendar saved")
    page.get_by_role("link", name="New policy").click()
    page.fill("input[name=name]", "VIP")
    page.locator("select[name=calendar_id]").select_option(label="Office (Europe/Madrid)")
    page.locator("input[name=tiers][value=vip]").check()
    page.fill("input[name=first_response_goal]", "30m")
    page.fill("input[name=resolution_goal]", "4h")
    page.click("form.sla-form button[type=submit]")
    expect(page.locator(".flash-ok")).to_contain_text("Policy saved")
    expect(page.locator("#recompute-state")).to_have_text("done")
    page.locator("#sla-preview-form select[name=tier]").select_option("vip")
    page.click("#sla-preview-form button[type=submit]")
    expect(page.locator("#sla-preview")).to_contain_text("gets the policy VIP")
    expect(page.locator("#sla-preview")).to_contain_text("first response due at")
    assert errors == []
