"""An admin defines a custom field and a trigger in the console; an agent fills the field on the
ticket page and the trigger acts on it (in a real browser, against `helpdesk run`)."""

from __future__ import annotations

import time
import uuid

from playwright.sync_api import expect


def test_a_trigger_made_in_the_admin_page_acts_on_a_custom_field_set_on_the_ticket_page(sign_in, live_server):
    admin = sign_in("admin@staff.example")
    admin.goto(f"{live_server.url}/admin/fields")
    form = admin.locator("#new-field")
    form.locator("select[name=entity]").select_option("ticket")
    form.locator("input[name=key]").fill("reason")
    form.locator("input[name=label]").fill("Reason")
    form.locator("select[name=kind]").select_option("dropdown")
    form.locator("input[name=options]").fill("Question, Refund, Bug")
    form.locator("button[type=submit]").click()
    expect(admin.locator("#fields")).to_contain_text("reason")

    admin.goto(f"{live_server.url}/admin/triggers")
    expect(admin.locator("#no-triggers")).to_be_visible()
    new = admin.locator("form.trigger-form")
    new.locator("input[name=name]").fill("Refunds get the refund flow")
    new.locator("select[name=event]").select_option("ticket.updated")
    new.locator("select[name=all_field_0]").select_option("custom.reason")
    new.locator("select[name=all_op_0]").select_option("is")
    new.locator("input[name=all_value_0]").fill("Refund")
    new.locator("select[name=act_type_0]").select_option("add_tags")
    new.locator("input[name=act_value_0]").fill("refund-flow")
    new.locator("button[type=submit]").click()
    expect(admin.locator("#triggers")).to_contain_text("Refunds get the refund flow")
    admin.set_viewport_size({"width": 390, "height": 800})  # usable on a phone: nothing scrolls sideways
    admin.reload()
    assert admin.evaluate("document.scrollingElement.scrollWidth") <= 390

    response = live_server.api("POST", "/api/v1/tickets", json={
        "customer": {"email": f"{uuid.uuid4().hex[:8]}@customer.example", "name": "Rosa"},
        "subject": "Money back", "body": "I was charged twice", "group": "Support"})
    ticket_id = response.json()["id"]
    ana = sign_in("ana@staff.example")
    ana.goto(f"{live_server.url}/tickets/{ticket_id}")
    ana.locator("#properties select[name='cf.reason']").select_option("Refund")
    ana.locator("#properties button[type=submit]").click()
    expect(ana.locator("#properties .properties-state")).to_have_text("Saved.")
    deadline = time.monotonic() + 15  # the trigger runs in the server's job consumer
    while "refund-flow" not in ana.locator("#properties input[name=tags]").input_value() and time.monotonic() < deadline:
        ana.wait_for_timeout(500)
        ana.reload()
    expect(ana.locator("#properties input[name=tags]")).to_have_value("refund-flow")
    expect(ana.locator("#properties select[name='cf.reason']")).to_have_value("Refund")
    expect(ana.locator("body")).to_contain_text("Refunds get the refund flow")  # the timeline says which trigger
