"""The chat widget cannot be used to mail-bomb anyone: confirmation mails are limited per target
address, per visitor and per widget, through the real /chat namespace and a real SMTP server."""

from __future__ import annotations

import pytest

from helpdesk.extensions import db
from helpdesk.models import WidgetConfirmation
from helpdesk.services import staff
from helpdesk.services.webchat import widgets as webchat_widgets
from helpdesk.webchat import presence
from tests.realtime.test_chat_namespace import NS, SHOP, visit, welcome


@pytest.fixture
def widget(app):
    staff.get_or_create_group("Support", is_default=True)
    db.session.commit()
    return webchat_widgets.add_widget("shop", [SHOP], group="Support")


def ask_to_confirm(app, widget, address: str, client=None) -> dict:
    if client is None:
        client = visit(app, widget.settings["key"])  # a new visitor each time, as an attacker would be
        welcome(client)
    return client.emit("identify", {"email": address, "name": "Someone"}, namespace=NS, callback=True)


def test_new_visitors_get_at_most_three_confirmations_a_day_to_one_address(app, widget, smtp_server):
    answers = [ask_to_confirm(app, widget, "victim@example.org") for _ in range(5)]
    assert [a["ok"] for a in answers] == [True, True, True, False, False]
    assert answers[3]["field"] == "email" and "try again later" in answers[3]["error"]
    assert [m.rcpt_tos for m in smtp_server.messages] == [["victim@example.org"]] * 3
    # Spelled differently, the same address: still refused.
    assert ask_to_confirm(app, widget, "Victim@Example.ORG")["ok"] is False
    # Another address is not affected.
    assert ask_to_confirm(app, widget, "someone.else@example.org")["ok"] is True
    assert len(smtp_server.messages) == 4
    # The address itself is never stored, only its hash.
    stored = db.session.scalars(db.select(WidgetConfirmation.address_hash)).all()
    assert stored and not any("example.org" in h for h in stored)


def test_the_limits_hold_after_a_restart(app, widget, smtp_server):
    for _ in range(3):
        assert ask_to_confirm(app, widget, "victim@example.org")["ok"] is True
    presence.init(app)  # a new process: every in-memory rate starts from zero
    assert ask_to_confirm(app, widget, "victim@example.org")["ok"] is False
    assert len(smtp_server.messages) == 3


def test_one_visitor_cannot_ask_for_confirmations_without_end(app, widget, smtp_server):
    client = visit(app, widget.settings["key"])
    welcome(client)
    answers = [ask_to_confirm(app, widget, f"person{n}@example.org", client) for n in range(5)]
    assert [a["ok"] for a in answers] == [True, True, True, False, False]
    assert "several confirmation" in answers[-1]["error"]
    assert len(smtp_server.messages) == 3


def test_one_widget_stops_sending_confirmations_beyond_its_limit(app, widget, smtp_server):
    app.config["HELPDESK_WEBCHAT_CONFIRM_WIDGET_RATE"] = "4 per hour"
    other = webchat_widgets.add_widget("blog", ["https://blog.example"], group="Support")
    answers = [ask_to_confirm(app, widget, f"person{n}@example.org") for n in range(6)]
    assert [a["ok"] for a in answers] == [True] * 4 + [False] * 2
    assert "right now" in answers[-1]["error"]
    # The other widget still sends its own.
    blog = visit(app, other.settings["key"], origin="https://blog.example")
    welcome(blog)
    assert blog.emit("identify", {"email": "reader@example.org"}, namespace=NS, callback=True)["ok"] is True
    assert len(smtp_server.messages) == 5


def test_old_confirmations_stop_counting(app, widget, smtp_server):
    from datetime import timedelta

    from helpdesk.models.base import utcnow

    for _ in range(3):
        assert ask_to_confirm(app, widget, "victim@example.org")["ok"] is True
    db.session.execute(db.update(WidgetConfirmation).values(sent_at=utcnow() - timedelta(days=1, minutes=1)))
    db.session.commit()
    assert ask_to_confirm(app, widget, "victim@example.org")["ok"] is True
    assert db.session.scalar(db.select(db.func.count()).select_from(WidgetConfirmation)) == 1  # the old ones went
