"""Mail its sender marked urgent (X-Priority, Importance, Priority) opens a high-priority ticket,
through a real Dovecot mailbox; rules can use the mark, and a follow-up never raises a ticket."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Ticket, TicketEvent
from helpdesk.services import rules
from helpdesk.services.mail import sync as mail_sync
from tests.mail.conftest import make_mail


def synced_tickets(mailbox) -> dict[str, Ticket]:
    report = mail_sync.sync_mailbox(mailbox.id)
    assert report.error is None and report.failed == 0
    db.session.expire_all()
    return {t.subject: t for t in db.session.scalars(select(Ticket))}


@pytest.mark.parametrize("headers", [{"X-Priority": "1 (Highest)"}, {"X-Priority": "2"}, {"Importance": "high"},
                                     {"Priority": "urgent"}, {"X-MSMail-Priority": "High"}])
def test_a_mail_marked_urgent_opens_a_high_priority_ticket(mailbox, dovecot, headers):
    dovecot.deliver(mailbox.user, make_mail(subject="Marked", headers=headers))
    dovecot.deliver(mailbox.user, make_mail(subject="Plain", sender="other@customer.example",
                                            headers={"X-Priority": "3 (Normal)"}))
    found = synced_tickets(mailbox)
    assert (found["Marked"].priority_name, found["Plain"].priority_name) == ("high", "normal")
    created = db.session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == found["Marked"].id,
                                                           TicketEvent.kind == "created")).one()
    assert created.data["sender_priority"] == "high"  # the timeline says why


def test_the_mark_never_lowers_what_a_rule_set(mailbox, dovecot):
    rules.save_rule(None, name="Outages are urgent", conditions={"keywords": ["outage"]}, set_priority="urgent",
                    set_group_id=None, position=1)
    dovecot.deliver(mailbox.user, make_mail(subject="Outage", body="Total outage", headers={"X-Priority": "1"}))
    assert synced_tickets(mailbox)["Outage"].priority_name == "urgent"


def test_rules_can_use_the_mark(mailbox, dovecot, groups):
    support, billing = groups
    rules.save_rule(None, name="Marked mail: urgent, to Billing", conditions={"sender_priority": ["high"]},
                    set_priority="urgent", set_group_id=billing.id, position=1)
    dovecot.deliver(mailbox.user, make_mail(subject="Marked", headers={"Importance": "high"}))
    dovecot.deliver(mailbox.user, make_mail(subject="Plain", sender="other@customer.example"))
    found = synced_tickets(mailbox)
    assert (found["Marked"].priority_name, found["Marked"].group_id) == ("urgent", billing.id)
    assert (found["Plain"].priority_name, found["Plain"].group_id) == ("normal", support.id)


def test_a_rule_may_choose_to_ignore_the_mark(mailbox, dovecot):
    rules.save_rule(None, name="We decide urgency ourselves", conditions={"sender_priority": ["high"]},
                    set_priority="normal", set_group_id=None, position=1)
    dovecot.deliver(mailbox.user, make_mail(subject="Marked", headers={"X-Priority": "1"}))
    assert synced_tickets(mailbox)["Marked"].priority_name == "normal"


def test_a_marked_follow_up_never_raises_an_existing_ticket(mailbox, dovecot):
    first = make_mail(subject="Question", message_id="<q1@customer.example>")
    dovecot.deliver(mailbox.user, first)
    ticket = synced_tickets(mailbox)["Question"]
    assert ticket.priority_name == "normal"
    dovecot.deliver(mailbox.user, make_mail(subject="Re: Question", headers={
        "X-Priority": "1", "In-Reply-To": "<q1@customer.example>", "References": "<q1@customer.example>"}))
    report = mail_sync.sync_mailbox(mailbox.id)
    assert report.fetched == 1
    db.session.expire_all()
    assert db.session.scalar(select(Ticket.id).where(Ticket.id != ticket.id)) is None  # same ticket
    assert db.session.get(Ticket, ticket.id).priority_name == "normal"


def test_an_admin_can_set_the_condition_in_the_console(client, groups, make_user, login):
    login(make_user(role="admin"))
    response = client.post("/admin/rules", data={"name": "Marked", "sender_priority": "high", "set_priority": "urgent",
                                                 "position": "1", "active": "1", "stop": "1"})
    assert response.status_code == 303
    [rule] = rules.ordered_rules()
    assert rule.conditions == {"sender_priority": ["high"]}
    assert 'name="sender_priority" value="high" checked' in client.get("/admin/rules").get_data(as_text=True)
    with pytest.raises(rules.RuleError, match="sender_priority"):
        rules.validate_conditions({"sender_priority": ["low"]})
