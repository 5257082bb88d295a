"""From the chat widget straight into the customer portal: only a visitor whose address is proven
gets a one-time sign-in link, and it signs in as that customer."""

from __future__ import annotations

from urllib.parse import urlsplit

from channels.webchat.identity import identity_hash
from helpdesk.extensions import db
from helpdesk.models import PortalSignIn
from tests.realtime.test_chat_namespace import NS, SECRET, visit, widget  # noqa: F401 - the fixture


def _link(client, lang: str = "es-MX") -> dict:
    return client.emit("portal_link", {"lang": lang}, namespace=NS, callback=True)


def test_a_verified_visitor_gets_a_link_that_signs_in_to_their_tickets(app, widget, inbound):  # noqa: F811
    inbound(email="ana@example.com", body="My order from last week")
    visitor = visit(app, widget.settings["key"])
    assert _link(visitor) == {"ok": False, "error": "confirm your e-mail address first"}
    answer = visitor.emit("identify", {"email": "ana@example.com", "identity_hash": identity_hash(SECRET, "ana@example.com")},
                          namespace=NS, callback=True)
    assert answer["verified"] is True
    link = _link(visitor)
    assert link["ok"] is True
    path = urlsplit(link["url"]).path
    assert path.startswith("/portal/es/sign-in/")
    assert db.session.query(PortalSignIn).one().via == "widget"
    browser = app.test_client()
    assert browser.post(path).status_code == 303
    assert "My order from last week" in browser.get("/portal/es/").get_data(as_text=True)
    assert app.test_client().post(path).status_code == 410  # once only


def test_a_visitor_who_only_typed_an_address_gets_no_link(app, widget, inbound, smtp_server):  # noqa: F811
    inbound(email="ana@example.com")
    visitor = visit(app, widget.settings["key"])
    answer = visitor.emit("identify", {"email": "ana@example.com"}, namespace=NS, callback=True)
    assert answer.get("confirmation_sent") is True
    assert _link(visitor)["ok"] is False
    assert db.session.query(PortalSignIn).count() == 0
