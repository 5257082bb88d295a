"""Every page and API answer that can carry customer data says `Cache-Control: no-store` (a shared
computer's back button, a proxy's cache); only static assets, the widget script and the public help
center may be cached."""

from __future__ import annotations

import re

from helpdesk.extensions import db
from helpdesk.models import Message, Ticket


def test_pages_and_api_answers_with_customer_data_are_never_stored(app, client, inbound, make_user, login, token_for):
    from channels.base import Attachment

    result = inbound(email="ana@customer.example", body="My card number ends 4242",
                     attachments=(Attachment("statement.pdf", b"%PDF-1.7 private", "application/pdf"),))
    admin = make_user(role="admin")
    token = token_for(admin)
    attachment_id = db.session.get(Message, result.message_id).attachments[0].id
    customer_id = db.session.get(Ticket, result.ticket_id).customer_id
    login(admin)
    for url in ("/", f"/tickets/{result.ticket_id}", f"/customers/{customer_id}", "/customers",
                f"/attachments/{attachment_id}", "/reports/", "/admin/rules", "/login", "/contact", "/no-such-page"):
        response = client.get(url)
        assert "no-store" in response.headers.get("Cache-Control", ""), (url, response.status_code)
    headers = {"Authorization": f"Bearer {token}"}
    for url in (f"/api/v1/tickets/{result.ticket_id}", f"/api/v1/tickets/{result.ticket_id}/messages",
                f"/api/v1/customers/{customer_id}", "/api/v1/tickets", "/api/v1/tickets/999999"):
        response = client.get(url, headers=headers)
        assert response.headers.get("Cache-Control") == "no-store", (url, response.status_code)
    assert client.get("/api/v1/tickets").headers["Cache-Control"] == "no-store"  # 401 too


def test_every_get_route_but_assets_and_the_help_center_answers_no_store(app, client, make_user, login):
    login(make_user(role="admin"))
    cacheable = re.compile(r"^(static|widget\.script|widget\.source_map|help\..*)$")
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or cacheable.match(rule.endpoint):
            continue
        url = re.sub(r"<(?:int:)?[^>]+>", "1", rule.rule)
        response = client.get(url)
        assert response.headers.get("Cache-Control") == "no-store", (rule.endpoint, url, response.status_code)
        checked += 1
    assert checked > 50


def test_static_assets_the_widget_script_and_the_help_center_may_be_cached(app, client):
    for url in ("/static/dist/console.css", "/help/", "/widget.js"):
        response = client.get(url)
        assert "no-store" not in response.headers.get("Cache-Control", ""), (url, response.status_code)
