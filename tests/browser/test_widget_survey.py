"""A chat's survey is rated inside the widget's panel: solved, sent, clicked, recorded."""
# ruff: noqa: F811 - tests name the imported `shop` and `visitor` fixtures as their parameters, as pytest wants

from __future__ import annotations

import sqlite3
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.test_webchat import shop, visitor  # noqa: F401 - the customer's site with the widget
from tests.web_server import run_cli


def read(live_server, sql: str, *args) -> list[tuple]:
    """Rows from the live server's database, opened read-only."""
    path = Path(live_server.env["HELPDESK_INSTANCE_DIR"]) / "helpdesk.sqlite3"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return db.execute(sql, args).fetchall()


def enable_csat_on_chats(sign_in, live_server) -> None:
    admin = sign_in("admin@staff.example")
    admin.goto(live_server.url + "/admin/surveys")
    form = admin.locator("#survey-settings-csat")
    form.locator("input[name=enabled]").check()
    form.locator("input[name=delay_minutes]").fill("0")
    form.locator("input[name=channels][value=webchat]").check()
    form.get_by_role("button", name="Save CSAT settings").click()
    expect(admin.locator("#survey-settings-csat input[name=enabled]")).to_be_checked()


def test_a_visitor_rates_the_solved_chat_in_the_panel(sign_in, live_server, visitor):
    enable_csat_on_chats(sign_in, live_server)
    page = visitor()
    page.click(".launcher")
    page.fill(".prechat input[name=name]", "Ilse")
    page.click(".prechat button[type=submit]")
    page.fill(".composer textarea", "My parcel has not arrived")
    page.press(".composer textarea", "Enter")
    expect(page.locator(".msg.visitor .meta").last).to_contain_text("Sent")
    ((ticket_id,),) = read(live_server, "SELECT id FROM tickets WHERE channel = 'webchat' ORDER BY id DESC LIMIT 1")
    assert live_server.api("PATCH", f"/api/v1/tickets/{ticket_id}", json={"status": "solved"}).status_code == 200
    run_cli(live_server.env, "surveys", "send-due")  # rather than waiting for the minutely job

    survey = page.locator(".msg.survey")
    expect(survey.locator(".text")).to_have_text("How satisfied are you with the help you got? (1 = not at all, 5 = very)")
    expect(survey.locator("button.score")).to_have_count(5)
    survey.locator(".rating-comment").fill("Kind <b>and</b> quick")
    survey.get_by_role("button", name="4 of 5: Satisfied").click()
    expect(survey.locator(".rating-thanks")).to_have_text("Thank you for your rating: 4 of 5.")
    expect(survey.locator("button.score")).to_have_count(0)
    assert read(live_server, "SELECT state, score, comment FROM surveys WHERE ticket_id = ?", ticket_id) == [
        ("answered", 4, "Kind and quick")]

    # Back later (a reload, another tab): the history brings the survey back answered, without buttons.
    page.reload()
    page.click(".launcher")
    expect(page.locator(".msg.survey .rating-thanks")).to_have_text("Thank you for your rating: 4 of 5.")
    other = visitor(page.context)
    other.click(".launcher")
    expect(other.locator(".msg.survey .rating-thanks")).to_be_visible()
    expect(other.locator(".msg.survey button.score")).to_have_count(0)
