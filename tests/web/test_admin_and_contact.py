"""Rules administration, the public contact form, and attachment downloads."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from channels.base import Attachment
from helpdesk.extensions import db
from helpdesk.models import Message, PriorityRule, Ticket


def test_only_admins_see_the_rules(client, groups, make_user, login):
    login(make_user(role="supervisor"))
    assert client.get("/admin/rules").status_code == 404
    assert client.post("/admin/rules", data={"name": "x", "set_priority": "urgent"}).status_code == 404


def test_an_admin_rule_decides_priority_and_group_of_new_tickets(client, groups, make_user, login, inbound):
    support, billing = groups
    login(make_user(role="admin"))
    response = client.post("/admin/rules", data={"name": "Refunds to billing", "keywords": "refund, chargeback",
                                                 "set_priority": "high", "set_group_id": str(billing.id),
                                                 "position": "1", "active": "1", "stop": "1"})
    assert response.status_code == 303
    ticket = db.session.get(Ticket, inbound(body="I want a REFUND").ticket_id)
    assert (ticket.priority_name, ticket.group_id) == ("high", billing.id)
    assert db.session.get(Ticket, inbound(body="hello").ticket_id).priority_name == "normal"


@pytest.mark.parametrize("data, complaint", [
    ({"name": "", "set_priority": "high"}, "name"),
    ({"name": "x", "set_priority": "apocalyptic"}, "set_priority"),
    ({"name": "x", "tier": "gold", "set_priority": "high"}, "conditions.tier"),
    ({"name": "x"}, "must set a priority"),
])
def test_invalid_rules_are_refused(client, groups, make_user, login, data, complaint):
    login(make_user(role="admin"))
    page = client.post("/admin/rules", data=data, follow_redirects=True).get_data(as_text=True)
    assert complaint in page
    assert db.session.scalar(select(func.count()).select_from(PriorityRule)) == 0


def test_contact_form_creates_one_ticket_per_submission(client, groups):
    form = client.get("/contact").get_data(as_text=True)
    submission_id = re.search(r'name="submission_id" value="([0-9a-f]{32})"', form).group(1)
    data = {"name": "Zoë", "email": "zoe@example.com", "subject": "Hello", "body": "Where is my order?",
            "submission_id": submission_id}
    first = client.post("/contact", data=data)
    again = client.post("/contact", data=data)
    assert first.status_code == again.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 1
    ticket = db.session.scalars(select(Ticket)).one()
    assert (ticket.channel, ticket.customer.name, ticket.subject) == ("web", "Zoë", "Hello")


@pytest.mark.parametrize("data, field", [
    ({"email": "not an address", "body": "hi"}, "email"),
    ({"email": "a@example.com", "body": ""}, "body"),
    ({"email": "a@example.com", "body": "x" * 20_001}, "body"),
    ({"email": "a@example.com", "body": "hi", "subject": "s" * 256}, "subject"),
])
def test_contact_form_rejects_bad_input_and_stores_nothing(client, groups, data, field):
    response = client.post("/contact", data=data)
    assert response.status_code == 422 and 'class="field-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0


def test_attachments_only_for_those_who_see_the_ticket(app, client, groups, make_user, login, inbound, token_for):
    evil = b"<html><script>alert(document.cookie)</script></html>"
    result = inbound(group_hint="Billing", attachments=(Attachment("page.html", evil, "text/html"),))
    attachment_id = db.session.get(Message, result.message_id).attachments[0].id
    url = f"/attachments/{attachment_id}"
    assert client.get(url).status_code == 401
    login(make_user(groups=("Support",)))
    assert client.get(url).status_code == 404
    assert client.get("/attachments/999999").status_code == 404
    billing_agent = make_user(groups=("Billing",))
    response = app.test_client().get(url, headers={"Authorization": f"Bearer {token_for(billing_agent)}"})
    assert response.status_code == 200 and response.data == evil
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
