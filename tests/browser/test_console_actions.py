"""What an agent does with the composer, macros and bulk actions in a real browser."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect


def create_ticket(live_server, subject: str, body: str = "Hello, I need help", name: str = "María López") -> int:
    response = live_server.api("POST", "/api/v1/tickets", json={
        "customer": {"email": f"{uuid.uuid4().hex[:8]}@customer.example", "name": name},
        "subject": subject, "body": body, "group": "Support"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_the_composer_never_loses_what_the_agent_typed(sign_in, live_server):
    ticket_id = create_ticket(live_server, "Lost my words")
    ana = sign_in("ana@staff.example")
    ana.goto(f"{live_server.url}/tickets/{ticket_id}")
    expect(ana.locator("#live-state")).to_have_text("live")
    ana.evaluate("window.__notReloaded = true")
    ana.locator("#reply-body").press_sequentially("Dear María, the refund is on its way.")
    expect(ana.locator("#draft-state")).to_have_text("Draft saved")
    # Properties save in the background: the composer keeps its text, the page does not reload.
    ana.locator("#properties select[name=priority]").select_option("high")
    ana.locator("#properties button[type=submit]").click()
    expect(ana.locator("#properties select[name=priority]")).to_have_value("high")
    expect(ana.locator("#reply-body")).to_have_value("Dear María, the refund is on its way.")
    assert ana.evaluate("window.__notReloaded") is True
    # Leaving with unsent text asks first; staying keeps everything.
    dialogs = []
    ana.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    ana.get_by_role("link", name="Customers").click()
    ana.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    assert ana.evaluate("window.__notReloaded") is True
    # A reload, and another device, find the draft on the server.
    other_device = sign_in("ana@staff.example")
    other_device.goto(f"{live_server.url}/tickets/{ticket_id}")
    # As on the first device, the page is live before anything is sent from it.
    expect(other_device.locator("#live-state")).to_have_text("live")
    expect(other_device.locator("#reply-body")).to_have_value("Dear María, the refund is on its way.")
    expect(other_device.locator("#draft-state")).to_contain_text("Draft restored")
    # "Send and set solved": one click sends, solves and clears the draft everywhere.
    other_device.click("#send-solved")
    reply = other_device.locator(".message-outbound").filter(has_text="the refund is on its way")
    expect(reply).to_be_visible()
    expect(other_device.locator("#properties select[name=status]")).to_have_value("solved")
    expect(other_device.locator("#reply-body")).to_have_value("")
    other_device.reload()
    expect(other_device.locator("#reply-body")).to_have_value("")


def test_an_agent_writes_a_macro_then_finds_previews_and_applies_it_from_the_composer(sign_in, live_server):
    ana = sign_in("ana@staff.example")
    ana.click("#nav-macros")
    ana.click("#new-macro")
    ana.fill("input[name=name]", "Refund on its way")
    ana.fill("#macro-body", "Hi {{customer.first_name}}, the refund for #{{ticket.number}} is on its way. {{agent.first_name}}")
    ana.select_option("select[name=status]", "pending")
    ana.fill("input[name=add_tags]", "refund")
    ana.click("#save-macro")
    expect(ana.locator("#macro-list")).to_contain_text("Refund on its way")
    ticket_id = create_ticket(live_server, "Where is my money", name="Lucía Pérez")
    ana.goto(f"{live_server.url}/tickets/{ticket_id}")
    expect(ana.locator("#live-state")).to_have_text("live")
    ana.locator("#reply-body").press_sequentially("/refu")
    option = ana.locator("#macro-results li[data-macro-id]")
    expect(option).to_have_count(1)
    ana.locator("#reply-body").press("Enter")
    preview = ana.locator("#macro-preview")
    expect(preview).to_contain_text(f"Hi Lucía, the refund for #{ticket_id} is on its way. Ana")
    expect(preview).to_contain_text("Status: new → pending")
    expect(ana.locator("#properties select[name=status]")).to_have_value("new")  # nothing happened yet
    ana.click("#apply-macro")
    expect(ana.locator("#reply-body")).to_have_value(f"Hi Lucía, the refund for #{ticket_id} is on its way. Ana")
    expect(ana.locator("#properties select[name=status]")).to_have_value("pending")
    expect(ana.locator("#properties input[name=tags]")).to_have_value("refund")
    ana.click("#send-reply")
    expect(ana.locator(".message-outbound").filter(has_text="the refund for")).to_be_visible()
    ana.goto(f"{live_server.url}/macros")
    expect(ana.locator("#macro-list .usage")).to_have_text("1")


def test_an_agent_selects_a_range_of_rows_and_changes_them_at_once(sign_in, live_server):
    ids = [create_ticket(live_server, f"Outage report {n}") for n in range(4)]
    ana = sign_in("ana@staff.example")
    expect(ana.locator("#live-state")).to_have_text("live")
    newest, _, third, oldest = ids[3], ids[2], ids[1], ids[0]
    expect(ana.locator(f"#ticket-row-{oldest}")).to_be_visible()
    ana.locator(f"#ticket-row-{newest} input[name=ids]").click()
    ana.locator(f"#ticket-row-{third} input[name=ids]").click(modifiers=["Shift"])
    expect(ana.locator("#bulk-count")).to_have_text("3 selected")
    expect(ana.locator(f"#ticket-row-{oldest} input[name=ids]")).not_to_be_checked()
    ana.select_option("select[name=set_status]", "pending")
    ana.fill("#bulk-bar input[name=add_tags]", "outage")
    ana.click("#bulk-change")
    expect(ana.locator(".flash-ok")).to_have_text("3 tickets changed.")
    for ticket_id in ids[1:]:
        ticket = live_server.api("GET", f"/api/v1/tickets/{ticket_id}").json()
        assert (ticket["status"], ticket["tags"]) == ("pending", ["outage"])
        assert any(e["kind"] == "changed" and "status" in e["data"] for e in ticket["events"])
    assert live_server.api("GET", f"/api/v1/tickets/{oldest}").json()["status"] == "new"
