"""The knowledge base in a real browser: a customer searches the help center, reads and votes; an
agent sees a suggestion on a ticket, inserts it into the reply and sends it."""

from __future__ import annotations

import re
import uuid

import requests
from playwright.sync_api import expect


def publish(live_server, language: str, title: str, body: str, article_id: int | None = None) -> int:
    """Create (or translate) and publish an article through the REST API; its id."""
    if article_id is None:
        response = live_server.api("POST", "/api/v1/kb/articles", json={
            "language": language, "title": title, "body_md": body, "publish": True})
        assert response.status_code == 201, response.text
        return response.json()["id"]
    response = live_server.api("PATCH", f"/api/v1/kb/articles/{article_id}", json={
        "translation": {"language": language, "title": title, "body_md": body}})
    assert response.status_code == 200, response.text
    return article_id


def test_a_customer_searches_reads_and_votes(browser, live_server):
    article_id = publish(live_server, "en", "Resetting a forgotten password", "Open **Settings** and choose Reset.")
    publish(live_server, "es", "Restablecer una contraseña olvidada", "Abre **Ajustes** y pulsa Restablecer.",
            article_id)
    context = browser.new_context(locale="es-ES")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server.url + "/help/")
    page.wait_for_url("**/help/es/")
    expect(page.locator("h1")).to_have_text("¿Cómo podemos ayudarte?")
    page.locator("input[data-kb-suggest]").press_sequentially("contrasena olvi", delay=30)
    suggestion = page.locator(".kb-suggestions a", has_text="Restablecer una contraseña olvidada")
    expect(suggestion).to_be_visible()
    suggestion.click()
    page.wait_for_url(re.compile(rf".*/help/es/articles/{article_id}-restablecer-una-contrasena-olvidada.*"))
    expect(page.locator(".help-body strong")).to_have_text("Ajustes")
    page.fill("textarea[name=comment]", "¡Perfecto!")
    page.get_by_role("button", name="Sí").click()
    expect(page.locator(".help-thanks")).to_have_text("¡Gracias por tu opinión!")
    context.close()


def test_an_agent_inserts_a_suggested_article_into_the_reply(sign_in, live_server):
    article_id = publish(live_server, "en", "Tracking a lost package", "Use the tracking number from your receipt.")
    response = live_server.api("POST", "/api/v1/tickets", json={
        "customer": {"email": f"{uuid.uuid4().hex[:8]}@customer.example", "name": "Li Wei"},
        "subject": "My package is lost", "body": "Where is my package? The tracking shows nothing.",
        "group": "Support"})
    ticket_id = response.json()["id"]
    page = sign_in("ana@staff.example")
    page.goto(f"{live_server.url}/tickets/{ticket_id}")
    suggestion = page.locator(f'#kb-panel .kb-suggestion[data-article-id="{article_id}"]')
    expect(suggestion).to_contain_text("Tracking a lost package")
    page.fill("#reply-body", "Hello Li,")
    suggestion.get_by_role("button", name="Insert link").click()
    expect(page.locator("#reply-body")).to_have_value(
        re.compile(rf"Hello Li,\nTracking a lost package: http\S+/help/en/articles/{article_id}-tracking-a-lost-package"))
    page.click("#send-reply")
    reply = page.locator(".message-outbound").filter(has_text="Tracking a lost package")
    expect(reply.locator(".delivery")).to_have_text("sent")
    requests.get(f"{live_server.url}/help/en/articles/{article_id}", timeout=10)  # one view, for the report row
    admin = sign_in("admin@staff.example")
    admin.goto(f"{live_server.url}/kb/reports")
    row = admin.locator("section", has_text="Top articles").locator("tr", has_text="Tracking a lost package")
    expect(row.locator("td").nth(2)).to_have_text("1")  # sent by agents: recorded from the reply


def test_an_editor_sees_the_preview_and_a_customer_is_offered_the_article_on_the_contact_form(
        sign_in, browser, live_server):
    admin = sign_in("admin@staff.example")
    admin.goto(f"{live_server.url}/kb/articles/new")
    admin.fill("input[name=title]", "Changing the delivery address")
    admin.locator("#kb-body").press_sequentially("Open **Orders** and pick <script>x</script> the order.", delay=5)
    expect(admin.locator("#kb-preview strong")).to_have_text("Orders")
    expect(admin.locator("#kb-preview")).to_contain_text("<script>x</script>")  # shown as text
    admin.get_by_role("button", name="Save and publish").click()
    expect(admin.locator(".kb-status")).to_have_text("published")
    context = browser.new_context(locale="en-GB")
    customer = context.new_page()
    customer.set_default_timeout(10_000)
    customer.goto(f"{live_server.url}/contact")
    customer.locator("input[name=subject]").press_sequentially("delivery address", delay=30)
    offered = customer.locator("#kb-deflect a", has_text="Changing the delivery address")
    expect(offered).to_be_visible()
    expect(customer.locator("#kb-deflect p").first).to_have_text("Open Orders and pick <script>x</script> the order.")
    context.close()
