"""Availability and offers in a real browser against `helpdesk run`: an admin turns on round robin
for Support and goes offline from the header; a supervisor's agents board follows an agent going
away and back online live; a visitor's chat is offered to the only online agent, who accepts it in
the console and lands on the ticket, whose timeline says why it was routed to them."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_webchat import shop, visitor  # noqa: F401 - the widget's site and visitor fixtures


def _live(page) -> None:
    expect(page.locator("#live-state")).to_have_text("live")


def test_availability_switching_and_an_offered_chat_accepted(sign_in, live_server, visitor):  # noqa: F811
    admin = sign_in("admin@staff.example")
    admin.goto(live_server.url + "/admin/routing")
    form = admin.locator("form.routing-group").filter(has_text="Support")
    form.locator("select[name=strategy]").select_option("round_robin")
    form.locator("input[name=chat_capacity]").fill("3")
    form.get_by_role("button", name="Save").click()
    expect(admin.locator(".flash-ok")).to_contain_text("Routing of Support saved.")
    _live(admin)
    admin.select_option("#availability", "offline")  # the admin is in Support too: no chats for them
    admin.goto(live_server.url + "/agents/live")
    _live(admin)
    expect(admin.locator("#availability")).to_have_value("offline")

    ana = sign_in("ana@staff.example")
    ana.set_viewport_size({"width": 390, "height": 844})
    _live(ana)
    expect(ana.locator("#availability")).to_have_value("online")  # opening the console brought her online
    ana_row = admin.locator("tr").filter(has_text="Ana Agent")
    admin.reload()
    _live(admin)
    expect(ana_row.locator(".availability")).to_have_text("online")
    admin.evaluate("window.__notReloaded = true")
    ana.select_option("#availability", "away")
    expect(ana_row.locator(".availability")).to_have_text("away")  # live on the supervisor's board
    ana.select_option("#availability", "online")
    expect(ana_row.locator(".availability")).to_have_text("online")
    assert admin.evaluate("window.__notReloaded") is True

    site = visitor()
    site.click(".launcher")
    site.fill(".prechat input[name=name]", "Lucía")
    site.fill(".prechat input[name=topic]", "Routed chat")
    site.click(".prechat button[type=submit]")
    site.fill(".composer textarea", "Hello, anyone there?")
    site.press(".composer textarea", "Enter")

    offer = ana.locator(".offer")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("New chat")
    expect(offer).to_contain_text("s to accept")
    box = offer.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    offer.get_by_role("button", name="Accept").click()
    ana.wait_for_url("**/tickets/*")
    expect(ana.locator("body")).to_contain_text("offered to Ana Agent for 30 s: round robin")
    expect(ana.locator("body")).to_contain_text("Ana Agent accepted the offered chat")
    expect(ana_row.locator(".load-chat")).to_have_text("1 / 3")  # the board followed without a reload
    assert admin.evaluate("window.__notReloaded") is True
