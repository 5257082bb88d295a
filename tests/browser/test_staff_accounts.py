"""Issue 17 "done when": an admin invites a colleague, who chooses a password, sets up two-factor
sign-in and signs in with a code; the admin switches them off, and their open console stops
receiving events and their API token answers 401 within a second."""

from __future__ import annotations

import re
import time
import uuid

import pyotp
import requests
from playwright.sync_api import expect

from tests.support import mailed_path

NEW_PASSWORD = "my very own long passphrase"


def create_ticket(live_server, subject: str) -> int:
    response = live_server.api("POST", "/api/v1/tickets", json={
        "customer": {"email": f"{uuid.uuid4().hex[:8]}@customer.example"}, "subject": subject, "body": "Help",
        "group": "Support"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_invite_password_two_factor_sign_in_then_switch_off(sign_in, browser, live_server):
    email = f"nia-{uuid.uuid4().hex[:6]}@staff.example"
    admin = sign_in("admin@staff.example")
    admin.goto(live_server.url + "/admin/users")
    invite = admin.locator("#invite")
    invite.locator("input[name=email]").fill(email)
    invite.locator("input[name=name]").fill("Nia New")
    invite.locator("input[name=groups][value=Support]").check()
    invite.locator("button[type=submit]").click()
    expect(admin.locator(".flash-ok")).to_contain_text(f"Invitation sent to {email}")

    deadline = time.monotonic() + 10
    while not [m for m in live_server.smtp.messages if email in m.rcpt_tos] and time.monotonic() < deadline:
        time.sleep(0.1)
    mail = [m for m in live_server.smtp.messages if email in m.rcpt_tos][-1]
    context = browser.new_context()
    nia = context.new_page()
    nia.set_default_timeout(10_000)
    try:
        nia.goto(live_server.url + mailed_path(mail.content, "/account/invitation/"))
        nia.fill("input[name=password]", NEW_PASSWORD)
        nia.fill("input[name=confirm]", NEW_PASSWORD)
        nia.click("#set-password button[type=submit]")
        nia.wait_for_url("**/login**")
        nia.fill("input[name=email]", email)
        nia.fill("input[name=password]", NEW_PASSWORD)
        nia.click("button[type=submit]")
        nia.wait_for_url(live_server.url + "/tickets")

        nia.goto(live_server.url + "/account/two-factor")
        nia.get_by_role("button", name="Set up two-factor sign-in").click()
        expect(nia.locator("#totp-qr")).to_be_visible()
        totp = pyotp.TOTP(nia.locator("#totp-secret").inner_text())
        nia.fill("#confirm-two-factor input[name=code]", totp.now())
        nia.click("#confirm-two-factor button[type=submit]")
        expect(nia.locator("#recovery-codes li")).to_have_count(10)

        nia.goto(live_server.url + "/account")
        nia.fill("#new-token-form input[name=name]", "my script")
        nia.click("#new-token-form button[type=submit]")
        token = nia.locator("#new-token code").inner_text()

        nia.get_by_role("button", name="Sign out").first.click()
        nia.wait_for_url("**/login")
        nia.fill("input[name=email]", email)
        nia.fill("input[name=password]", NEW_PASSWORD)
        nia.click("button[type=submit]")
        nia.wait_for_url("**/login/two-factor")
        nia.fill("input[name=code]", totp.at(time.time() + totp.interval))  # the next step: a code works once
        nia.click("#two-factor button[type=submit]")
        nia.wait_for_url(live_server.url + "/tickets")
        expect(nia.locator("#live-state")).to_have_text("live")
        before = create_ticket(live_server, "Before the switch-off")
        expect(nia.locator(f"#ticket-row-{before}")).to_be_visible()
        headers = {"Authorization": f"Bearer {token}"}
        assert requests.get(live_server.url + "/api/v1/me", headers=headers, timeout=5).status_code == 200

        user_id = requests.get(live_server.url + "/api/v1/me", headers=headers, timeout=5).json()["id"]
        admin.goto(f"{live_server.url}/admin/users/{user_id}")
        admin.get_by_role("button", name="Switch off").click()
        switched = time.monotonic()
        expect(admin.locator(".flash-ok")).to_contain_text("switched off")
        expect(nia.locator("#live-state")).to_have_attribute("data-state", "down", timeout=1000)
        assert requests.get(live_server.url + "/api/v1/me", headers=headers, timeout=5).status_code == 401
        assert time.monotonic() - switched < 1.5  # the admin's page answered, the console and token were cut
        after = create_ticket(live_server, "After the switch-off")
        nia.wait_for_timeout(1500)
        expect(nia.locator(f"#ticket-row-{after}")).to_have_count(0)
        assert re.search(r"Switch on", admin.content())
    finally:
        context.close()
