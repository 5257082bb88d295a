"""What an agent does all day in the console, in a real browser: saved views with live counts,
notifications, keyboard shortcuts, tickets opened for a caller, splits and links."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect


def create_ticket(live_server, subject: str, body: str = "Hello, I need help", **changes) -> int:
    response = live_server.api("POST", "/api/v1/tickets", json={
        "customer": {"email": f"{uuid.uuid4().hex[:8]}@customer.example", "name": "María López"},
        "subject": subject, "body": body, "group": "Support"})
    assert response.status_code == 201, response.text
    ticket_id = response.json()["id"]
    if changes:
        changed = live_server.api("PATCH", f"/api/v1/tickets/{ticket_id}", json=changes)
        assert changed.status_code == 200, changed.text
    return ticket_id


def test_an_agent_saves_a_view_sees_its_count_live_and_orders_views(sign_in, live_server):
    first = create_ticket(live_server, "Checkout broken", priority="urgent")
    page = sign_in("ana@staff.example")
    expect(page.locator("#saved-views")).to_contain_text("No saved views yet")
    page.locator("select[name=priority]").select_option("urgent")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(f"#ticket-row-{first}")).to_be_visible()
    page.locator("#save-view summary").click()
    page.fill("#save-view-name", "Urgent <b>fires</b>")
    page.locator("#save-view input[name=columns][value=channel]").uncheck()
    page.click("#save-view-submit")
    expect(page).to_have_title(re.compile("Urgent <b>fires</b>"))
    nav_item = page.locator("#saved-views a", has_text="Urgent <b>fires</b>")
    expect(nav_item).to_have_attribute("aria-current", "page")
    count = nav_item.locator(".count")
    start = int(count.inner_text())
    assert start >= 1
    expect(page.locator("#ticket-list th.col-channel")).to_be_hidden()
    expect(page.locator(f"#ticket-row-{first} .col-subject")).to_be_visible()
    page.evaluate("window.__notReloaded = true")
    expect(page.locator("#live-state")).to_have_text("live")
    second = create_ticket(live_server, "Payments down", priority="urgent")
    expect(page.locator("#saved-views a", has_text="Urgent <b>fires</b>").locator(".count")).to_have_text(str(start + 1))
    expect(page.locator(f"#ticket-row-{second}")).to_be_visible()
    assert page.evaluate("window.__notReloaded") is True
    # A second view, then moved before the first in this agent's own order.
    page.goto(live_server.url + "/tickets?view=mine")
    page.locator("#save-view summary").click()
    page.fill("#save-view-name", "Mine")
    page.click("#save-view-submit")
    names = page.locator("#saved-views .saved-view-name")
    expect(names).to_have_text(["Urgent <b>fires</b>", "Mine"])
    page.locator("#saved-views a.arrange").click()
    page.get_by_role("button", name="Move up Mine").click()
    page.goto(live_server.url + "/tickets")
    expect(page.locator("#saved-views .saved-view-name")).to_have_text(["Mine", "Urgent <b>fires</b>"])


def test_a_mention_completes_the_name_and_notifies_the_colleague_live(sign_in, live_server):
    ticket_id = create_ticket(live_server, "Refund twice")
    ben = sign_in("ben@staff.example")
    expect(ben.locator("#live-state")).to_have_text("live")
    expect(ben.locator("#unread-count")).to_be_hidden()
    ana = sign_in("ana@staff.example")
    ana.goto(f"{live_server.url}/tickets/{ticket_id}")
    ana.locator("#composer input[name=internal]").check()
    ana.locator("#reply-body").press_sequentially("Could you check this, @Be")
    option = ana.locator("#mention-list li", has_text="Ben Agent")
    expect(option).to_be_visible()
    ana.locator("#reply-body").press("Enter")
    expect(ana.locator("#reply-body")).to_have_value("Could you check this, @Ben Agent ")
    ana.locator("#reply-body").press_sequentially("please?")
    ana.click("#send-reply")
    expect(ana.locator(".message-note")).to_contain_text("@Ben Agent please?")
    ben.evaluate("window.__notReloaded = true")
    expect(ben.locator("#unread-count")).to_have_text("1")
    expect(ben.locator(".toast-notification")).to_contain_text(f"Ana Agent mentioned you on #{ticket_id} Refund twice")
    assert ben.evaluate("window.__notReloaded") is True
    ben.click("#nav-notifications")
    expect(ben.locator(".notification.unread")).to_contain_text("Ana Agent mentioned you")
    ben.click("#mark-all-read")
    expect(ben.locator(".notification.unread")).to_have_count(0)
    expect(ben.locator("#unread-count")).to_be_hidden()


def _selected_at(page, position: int) -> int:
    """The id of the selected row once it is the row at `position` of the list (and the only one)."""
    page.wait_for_function("""(position) => {
        const rows = [...document.querySelectorAll("#ticket-rows tr[data-ticket-id]")];
        const selected = rows.filter((row) => row.classList.contains("selected"));
        return selected.length === 1 && rows.indexOf(selected[0]) === position;
    }""", arg=position, timeout=10_000)
    return int(page.locator("#ticket-rows tr.selected").get_attribute("data-ticket-id"))


def test_keyboard_moves_opens_assigns_notes_and_solves(sign_in, live_server):
    older = create_ticket(live_server, "Keyboard older")
    newer = create_ticket(live_server, "Keyboard newer")
    page = sign_in("ana@staff.example")
    page.goto(live_server.url + "/tickets?view=open&q=Keyboard")
    expect(page.locator("#ticket-rows tr[data-ticket-id]")).to_have_count(2)
    # The console's keys are attached, and the list's re-render on connecting is behind us.
    expect(page.locator("#live-state")).to_have_attribute("data-state", "live")
    # j and k move through the rows as they stand (a background job may still move a ticket up the
    # list, and the selection follows its ticket): read positions and the selection in one snapshot.
    page.keyboard.press("j")
    page.keyboard.press("j")
    second = _selected_at(page, 1)
    page.keyboard.press("k")
    first = _selected_at(page, 0)
    assert {first, second} == {older, newer}
    expect(page.locator(f"#ticket-row-{second}")).not_to_have_class(re.compile("selected"))
    page.keyboard.press("?")
    help_dialog = page.locator("#shortcut-help")
    expect(help_dialog).to_be_visible()
    for text in ("Next ticket", "Open the selected", "Reply", "internal note", "Assign the ticket to me", "Solve",
                 "Search"):
        expect(help_dialog).to_contain_text(text)
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()
    page.keyboard.press("/")
    search = page.locator(".topbar .search input[name=q]")
    expect(search).to_be_focused()
    page.keyboard.type("jk")  # typed into the field, not taken as shortcuts
    expect(search).to_have_value("jk")
    expect(page.locator(f"#ticket-row-{first}")).to_have_class(re.compile("selected"))
    search.blur()
    page.keyboard.press("o")
    page.wait_for_url(f"**/tickets/{first}")
    expect(page.locator("#live-state")).to_have_text("live")
    page.keyboard.press("a")
    expect(page.locator("#properties select[name=assignee_id] option:checked")).to_have_text("Ana Agent")
    expect(page.locator(".properties-state")).to_be_visible()
    page.keyboard.press("n")
    expect(page.locator("#reply-body")).to_be_focused()
    expect(page.locator("#composer input[name=internal]")).to_be_checked()
    page.keyboard.type("a note, typed with s and r in it")
    expect(page.locator("#reply-body")).to_have_value("a note, typed with s and r in it")
    page.locator("#reply-body").blur()
    page.keyboard.press("r")
    expect(page.locator("#composer input[name=internal]")).not_to_be_checked()
    page.locator("#reply-body").blur()
    page.keyboard.press("s")
    expect(page.locator("#properties select[name=status]")).to_have_value("solved")
    ticket = live_server.api("GET", f"/api/v1/tickets/{first}").json()
    for _ in range(20):
        if ticket["status"] == "solved":
            break
        page.wait_for_timeout(100)
        ticket = live_server.api("GET", f"/api/v1/tickets/{first}").json()
    assert ticket["status"] == "solved"
    assert ticket["assignee_id"] is not None
    assert page.locator("#reply-body").input_value() == "a note, typed with s and r in it"  # nothing lost


def test_an_agent_opens_tickets_for_a_walk_in_and_then_a_caller(sign_in, live_server):
    page = sign_in("ana@staff.example")
    page.click("#nav-new-ticket")
    page.fill("#customer-q", "Wendy Walkin")
    page.click("#customer-search")
    expect(page.locator("#no-customer")).to_contain_text("No customer matches")
    page.fill("input[name=new_name]", "Wendy Walkin")
    page.fill("input[name=new_phone]", "+44 20 7946 0958")
    page.check("input[name=channel][value=in_person]")
    page.fill("#new-subject", "Laptop screen cracked")
    page.fill("#new-body", "Brought the laptop to the desk; screen cracked after a fall.")
    page.check("input[name=first_text][value=note]")
    page.click("#open-ticket")
    page.wait_for_url(re.compile(r".*/tickets/\d+$"))
    expect(page.locator(".flash-ok")).to_contain_text("opened for Wendy Walkin")
    expect(page.locator(".message-note")).to_contain_text("screen cracked after a fall")
    expect(page.locator(".message-inbound")).to_contain_text("Ticket opened by Ana Agent (in person)")
    # She calls back a day later: found by her number as she says it.
    page.click("#nav-new-ticket")
    page.fill("#customer-q", "7946 0958")
    page.click("#customer-search")
    expect(page.locator("input[name=customer_id]")).to_be_checked()
    expect(page.locator("#new-ticket")).to_contain_text("Wendy Walkin")
    page.fill("#new-subject", "Repair status")
    page.fill("#new-body", "Is my laptop ready?")
    page.click("#open-ticket")
    page.wait_for_url(re.compile(r".*/tickets/\d+$"))
    expect(page.locator(".message-inbound")).to_contain_text("Is my laptop ready?")
    expect(page.locator("#properties select[name=status]")).to_have_value("new")


def test_an_agent_splits_off_a_second_question_and_links_a_related_ticket(sign_in, live_server):
    ticket_id = create_ticket(live_server, "Login fails", body="I cannot log in")
    second = live_server.api("POST", f"/api/v1/tickets/{ticket_id}/replies",
                             json={"body": "Customer also asked about an invoice", "internal": True})
    assert second.status_code == 201, second.text
    other = create_ticket(live_server, "Login fails for my colleague too")
    page = sign_in("ana@staff.example")
    page.goto(f"{live_server.url}/tickets/{ticket_id}")
    page.locator("#split summary").click()
    page.locator("#split label", has_text="also asked about an invoice").locator("input").check()
    page.locator("#split input[name=subject]").fill("Invoice question")
    page.click("#split-ticket")
    expect(page.locator(".flash-ok")).to_contain_text("Split into #")
    new_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator(".ticket-head h1")).to_contain_text("Invoice question")
    expect(page.locator(".message-note")).to_contain_text("also asked about an invoice")
    page.locator("#timeline summary").click()
    expect(page.locator("#timeline")).to_contain_text(f"Ana Agent split this ticket off from #{ticket_id}")
    page.locator("#timeline a", has_text=f"#{ticket_id}").click()
    page.wait_for_url(f"**/tickets/{ticket_id}?stay=1")
    expect(page.locator(".message-note")).to_have_count(0)
    expect(page.locator("#ticket-links")).to_contain_text(f"#{new_id}")
    page.fill("#link-number", str(other))
    page.click("#link-ticket")
    expect(page.locator("#ticket-links")).to_contain_text("Login fails for my colleague too")
    # The timeline names people and values.
    page.locator("#properties select[name=assignee_id]").select_option(label="Ben Agent")
    # The panel saves in the background: reloading before its answer could cancel the change.
    with page.expect_response(lambda r: r.url.endswith(f"/tickets/{ticket_id}/update")):
        page.locator("#properties button[type=submit]").click()
    page.reload()
    page.locator("#timeline summary").click()
    expect(page.locator("#timeline")).to_contain_text("Ana Agent assigned it to Ben Agent")
    expect(page.locator("#timeline")).to_contain_text(f"linked this ticket to #{other}")
    expect(page.locator("#timeline")).not_to_contain_text("assignee_id")


ONE_PIXEL_PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")


def test_image_attachments_show_a_thumbnail_and_pdfs_open_in_the_browser(sign_in, live_server):
    import base64

    ticket_id = create_ticket(live_server, "Screenshot attached")
    page = sign_in("ana@staff.example")
    page.goto(f"{live_server.url}/tickets/{ticket_id}")
    page.locator("#composer input[name=internal]").check()
    page.fill("#reply-body", "Screenshot and the invoice, for the record")
    page.set_input_files("#composer input[name=files]", files=[
        {"name": "screen.png", "mimeType": "image/png", "buffer": base64.b64decode(ONE_PIXEL_PNG)},
        {"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}])
    page.click("#send-reply")
    note = page.locator(".message-note").filter(has_text="Screenshot and the invoice")
    thumb = note.locator("img.thumb")
    expect(thumb).to_be_visible()
    # The image really loads (once it has finished loading: it may still be on its way).
    loaded_width = ("img => img.complete ? img.naturalWidth : new Promise(done => {"
                    " img.onload = () => done(img.naturalWidth); img.onerror = () => done(0); })")
    assert thumb.evaluate(loaded_width) == 1
    pdf_link = note.locator("a.view-pdf")
    response = page.request.get(live_server.url + pdf_link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-disposition"].startswith("inline")
    assert response.headers["x-content-type-options"] == "nosniff"


def test_an_agent_merges_a_duplicate_customer_by_searching_for_the_one_to_keep(sign_in, live_server):
    def customer_of(email: str, name: str) -> int:
        response = live_server.api("POST", "/api/v1/tickets", json={
            "customer": {"email": email, "name": name}, "subject": "Hello", "body": "Hi", "group": "Support"})
        assert response.status_code == 201, response.text
        return response.json()["customer_id"]

    suffix = uuid.uuid4().hex[:6]
    keep = customer_of(f"rita-{suffix}@example.com", f"Rita Keep {suffix}")
    dupe = customer_of(f"r.{suffix}@work.example", f"R. Keep {suffix}")
    page = sign_in("ana@staff.example")
    page.goto(f"{live_server.url}/customers/{dupe}")
    page.fill("#merge-q", f"rita-{suffix}")
    page.click("#merge-search")
    page.get_by_role("button", name=f"Merge R. Keep {suffix} into Rita Keep {suffix}").click()
    page.wait_for_url(f"**/customers/{keep}")
    expect(page.locator(".flash-ok")).to_contain_text(f"Merged R. Keep {suffix} into Rita Keep {suffix}")
    expect(page.locator(".identities")).to_contain_text(f"r.{suffix}@work.example")
