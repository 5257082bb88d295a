"""The chat widget suggests help-center articles while a visitor types their first message."""
# ruff: noqa: F811 - tests name the imported `shop` and `visitor` fixtures as their parameters, as pytest wants

from __future__ import annotations

import re
import sqlite3
import uuid
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.test_knowledge_base import publish
from tests.browser.test_webchat import shop, visitor  # noqa: F401 - the customer's site with the widget


def start_chat(page, name: str = "Noor") -> None:
    page.click(".launcher")
    page.fill(".prechat input[name=name]", name)
    page.click(".prechat button[type=submit]")


def deflections(live_server) -> dict[str, tuple[str, str]]:
    """visitor id -> (source, outcome) of every self-service session, read from the live database."""
    path = Path(live_server.env["HELPDESK_INSTANCE_DIR"]) / "helpdesk.sqlite3"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return {v: (s, o) for v, s, o in db.execute("SELECT visitor, source, outcome FROM kb_deflections")}


def visitor_id(page) -> str:
    """The widget's visitor id, as the suggestion links carry it to the help center."""
    href = page.locator(".suggestions a").first.get_attribute("href")
    return re.search(r"[?&]v=([A-Za-z0-9_-]+)", href).group(1)


def test_a_visitor_is_offered_a_matching_article_and_reading_it_counts_as_self_service(
        live_server, visitor, shop):
    topic = f"Kombucha{uuid.uuid4().hex[:6]}"
    article_id = publish(live_server, "en", f"Returning a {topic} subscription box",
                         "Print the label from your account and drop the box at any post office.")
    page = visitor()
    start_chat(page)
    suggestions = page.locator(".suggestions")
    page.locator(".composer textarea").press_sequentially("re", delay=20)
    page.wait_for_timeout(800)  # two characters are not a question yet: nothing is asked
    expect(suggestions).to_be_hidden()
    page.locator(".composer textarea").press_sequentially(f"turn my {topic} box", delay=20)
    link = suggestions.get_by_role("link", name=f"Returning a {topic} subscription box")
    expect(link).to_be_visible()
    assert suggestions.locator("li").count() <= 3
    assert link.get_attribute("target") == "_blank" and link.get_attribute("rel") == "noopener"
    assert re.search(rf"^{live_server.url}/help/en/articles/{article_id}-[^?]*\?.*src=widget", link.get_attribute("href"))
    reader = visitor_id(page)

    with page.context.expect_page() as opened:
        link.click()
    article = opened.value
    article.wait_for_load_state()
    expect(article.locator("h1")).to_have_text(f"Returning a {topic} subscription box")
    assert deflections(live_server)[reader] == ("widget", "pending")  # no message: self-service so far

    # Another visitor reads the suggestion too but still writes: their session ends in a ticket.
    other = visitor()
    start_chat(other, "Sam")
    other.locator(".composer textarea").press_sequentially(f"return {topic}", delay=20)
    expect(other.locator(".suggestions a").first).to_be_visible()
    writer = visitor_id(other)
    other.press(".composer textarea", "Enter")
    expect(other.locator(".suggestions")).to_be_hidden()
    expect(other.locator(".msg.visitor .meta").last).to_contain_text("Sent")
    for _ in range(50):
        if deflections(live_server).get(writer, ("", ""))[1] == "ticket":
            break
        other.wait_for_timeout(100)
    assert deflections(live_server)[writer] == ("widget", "ticket")
    assert deflections(live_server)[reader] == ("widget", "pending")


def test_an_article_title_with_markup_is_shown_as_text(live_server, visitor, shop):
    topic = f"Voucher{uuid.uuid4().hex[:6]}"
    title = f'{topic} <img src=x onerror="window.__pwned=1"> <b>codes</b>'
    publish(live_server, "en", title, "Vouchers are valid for a year.")
    page = visitor()
    start_chat(page)
    page.locator(".composer textarea").press_sequentially(f"{topic} codes", delay=20)
    link = page.locator(".suggestions a").first
    expect(link).to_have_text(re.compile(rf"^{topic} <img src=x"))
    assert page.locator(".suggestions img, .suggestions b").count() == 0
    assert page.evaluate("window.__pwned") is None
