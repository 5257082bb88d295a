"""Issue 16 "each language", Tagalog: the console offers tl where the help center already spoke it.
An admin reads the ticket list, a ticket and an admin page in English, chooses Tagalog, and reads
the same pages again: Tagalog words appear, and no line of the English pages is left as it was
except the names, data and loanwords that Tagalog writes the same."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

ADMIN = "admin@staff.example"
BODY = "Hindi gumagana ang printer namin."
# Lines the console writes the same in Tagalog: product and channel names, codes, and the words
# Filipino software keeps in English (the catalogue's own choice for each, not left untranslated).
SAME_IN_TAGALOG = {"helpdesk", "Dashboard", "SLA", "CSAT", "Webhook", "Webhooks", "Macro", "Console", "Telegram",
                   "WhatsApp", "Messenger", "e-mail", "email", "web", "webchat", "api", "Menu", "Audit", "Routing",
                   "Tag", "Timeline", "Channel", "channel", "Mail", "Password", "Device", "Link", "Target", "Refit", "User",
                   "admin", "online", "offline", "Online", "Offline", "live", "Survey", "Label", "Field", "Folder"}


def _lines(page) -> set[str]:
    """The visible lines of the page's main part and navigation that have words in them."""
    text = page.locator("body").inner_text()
    return {line.strip() for line in text.splitlines() if re.search(r"[A-Za-z]{2,}", line)}


def _words(line: str, data: list[str]) -> set[str]:
    """The words of `line` once the data it quotes (names, subjects, addresses) is taken out."""
    for quoted in data:
        line = line.replace(quoted, " ")
    line = re.sub(r"[\w.+-]+@[\w.-]+", " ", line)
    return set(re.findall(r"[A-Za-z]{2,}", line))


def _pages(page, url: str, ticket_id: int) -> dict[str, set[str]]:
    found = {}
    for name, path in (("list", "/tickets?view=all"), ("ticket", f"/tickets/{ticket_id}"),
                       ("admin", "/admin/triggers")):
        page.goto(url + path)
        page.wait_for_load_state("networkidle")
        found[name] = _lines(page)
    return found


def test_an_admin_reads_the_console_in_tagalog(sign_in, live_server):
    subject = f"Sira ang printer {uuid.uuid4().hex[:6]}"
    response = live_server.api("POST", "/api/v1/tickets", json={
        "customer": {"email": f"{uuid.uuid4().hex[:8]}@customer.example", "name": "Maria Santos"},
        "subject": subject, "body": BODY, "group": "Support"})
    assert response.status_code == 201, response.text
    ticket = response.json()
    data = [subject, BODY, "Maria Santos", "Alex Admin", "Ana Agent", "Ben Agent", "Support"]

    page = sign_in(ADMIN)
    english = _pages(page, live_server.url, ticket["id"])
    assert "My open tickets" in english["list"] and "Properties" in english["ticket"] and "Triggers" in english["admin"]

    page.goto(live_server.url + "/account")
    page.select_option("#preferences select[name=language]", "tl")
    page.select_option("#preferences select[name=time_zone]", "Asia/Manila")
    page.click("#preferences button[type=submit]")
    expect(page.locator("html")).to_have_attribute("lang", "tl")
    expect(page.locator("h1")).to_have_text("Ang iyong account")

    tagalog = _pages(page, live_server.url, ticket["id"])
    page.goto(live_server.url + "/tickets?view=all")
    expect(page.locator(".tabs a").first).to_have_text("Aking mga bukas na tiket")
    expect(page.locator(f"#ticket-row-{ticket['id']} .status")).to_have_text("bago")
    page.goto(live_server.url + f"/tickets/{ticket['id']}")
    expect(page.locator("#properties h2")).to_have_text("Mga katangian")
    page.goto(live_server.url + "/admin/triggers")
    expect(page.locator("h1")).to_have_text("Mga trigger")
    expect(page.locator("#new-trigger")).to_have_text("Bagong trigger")

    for name in english:
        left = sorted(line for line in english[name] & tagalog[name] if _words(line, data) - SAME_IN_TAGALOG)
        assert not left, f"still English on the {name} page: {left}"
