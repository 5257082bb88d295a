"""A ticket that ingestion creates gets its clocks computed from memory (no timeline reads), and
without any active policy a ticket gets none without reads; both must be exactly what the general
refresh, which reads the stored timeline back, computes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from channels.base import InboundMessage, Sender
from helpdesk.extensions import db
from helpdesk.models import Customer, Organization, SlaOutcome, Ticket
from helpdesk.services import rules
from helpdesk.services.ingest import ingest
from helpdesk.services.sla import clocks as sla_clocks
from helpdesk.services.sla import config as sla_config

SLA_COLUMNS = ("sla_policy_id", "first_response_due_at", "next_response_due_at", "resolution_due_at",
               "sla_state", "sla_due_at", "sla_check_at")


def target(kind: str, hours: float, business: bool = False, pause: tuple = ()) -> dict:
    return {"kind": kind, "goal_seconds": int(hours * 3600), "business_time": business, "warning_fraction": 0.75,
            "pause_statuses": list(pause)}


@pytest.fixture
def policies(app, groups):
    support, billing = groups
    org = Organization(name="Globex", domain="globex.example")
    db.session.add(org)
    db.session.commit()
    office = sla_config.save_calendar(None, name="Madrid office", timezone="Europe/Madrid",
                                      hours={"mon-fri": "09:00-18:00"}, country="es")
    sla_config.save_policy(None, name="VIP", position=1, conditions={"tiers": ["vip"]},
                           targets=[target("first_response", 0.5), target("resolution", 4)])
    sla_config.save_policy(None, name="Globex", position=2, conditions={"organizations": [org.id]},
                           calendar_id=office.id, targets=[target("first_response", 2, business=True),
                                                           target("resolution", 16, business=True, pause=("pending",))])
    sla_config.save_policy(None, name="Billing chat", position=3,
                           conditions={"groups": [billing.id], "channels": ["webchat"]},
                           targets=[target("first_response", 0.1)])
    sla_config.save_policy(None, name="Urgent", position=4, conditions={"priorities": ["urgent"]},
                           targets=[target("first_response", 1), target("next_response", 1)])
    sla_config.save_policy(None, name="Everyone", position=5, calendar_id=office.id,
                           targets=[target("first_response", 8, business=True), target("resolution", 40, business=True)])
    rules.save_rule(None, name="Outage", conditions={"keywords": ["outage"]}, set_priority="urgent",
                    set_group_id=None, position=1)
    vip = Customer(name="Vera", tier="vip")
    db.session.add(vip)
    db.session.commit()
    from helpdesk.services import customers

    customers.add_identity(vip, "email", "vera@example.com")
    db.session.commit()
    return org


def message(address: str, **fields) -> InboundMessage:
    defaults = {"channel": "email", "source": "box", "external_id": uuid.uuid4().hex,
                "sender": Sender("email", address), "body_text": "hello"}
    return InboundMessage(**(defaults | fields))


CASES = {
    "vip": dict(address="vera@example.com"),
    "organization by domain": dict(address="ann@globex.example"),
    "group and channel": dict(address="chat-visitor@example.com", channel="webchat", source="widget",
                              group_hint="Billing"),
    "urgent by rule": dict(address="bob@example.com", subject="Outage in Paris"),
    "business hours": dict(address="carl@example.com"),
    "an auto-reply starts no customer clock": dict(address="dan@example.com", is_automated=True),
    "back-dated mail": dict(address="eve@example.com", received_at=datetime.now(UTC) - timedelta(days=2)),
    "a little ahead of our clock": dict(address="fay@example.com", received_at=datetime.now(UTC) + timedelta(minutes=3)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_clocks_of_a_new_ticket_match_a_full_refresh(policies, case):
    fields = dict(CASES[case])
    result = ingest(message(fields.pop("address"), **fields))
    assert result.created_ticket
    ticket = db.session.get(Ticket, result.ticket_id)
    from_memory = {name: getattr(ticket, name) for name in SLA_COLUMNS}
    outcomes = db.session.scalars(select(SlaOutcome).where(SlaOutcome.ticket_id == ticket.id)).all()
    assert from_memory["sla_policy_id"] is not None  # every case falls under some policy
    db.session.rollback()
    sla_clocks.refresh([ticket.id], now=ticket.created_at)  # the same instant, read back from the database
    db.session.expire_all()
    ticket = db.session.get(Ticket, result.ticket_id)
    assert {name: getattr(ticket, name) for name in SLA_COLUMNS} == from_memory
    assert db.session.scalars(select(SlaOutcome).where(SlaOutcome.ticket_id == ticket.id)).all() == outcomes


def test_without_an_active_policy_a_message_clears_the_clocks_as_a_full_refresh_would(policies, make_user):
    from helpdesk.services import replies

    first = ingest(message("gus@example.com"))
    ticket = db.session.get(Ticket, first.ticket_id)
    assert ticket.sla_policy_id is not None and ticket.sla_state == "ok"
    replies.add_reply(ticket, make_user("agent", ("Support",)), body="Looking into it")
    db.session.commit()
    sla_clocks.refresh([ticket.id])
    assert db.session.scalars(select(SlaOutcome).where(SlaOutcome.ticket_id == ticket.id)).all()  # first response met
    for policy in db.session.scalars(select(sla_config.SlaPolicyConfig)):
        policy.active = False
    db.session.commit()
    ingest(message("gus@example.com", thread_refs=(first_external_id(first),)))
    db.session.expire_all()
    ticket = db.session.get(Ticket, first.ticket_id)
    from_ingest = {name: getattr(ticket, name) for name in SLA_COLUMNS}
    assert from_ingest["sla_state"] == "none" and from_ingest["sla_policy_id"] is None
    db.session.rollback()
    sla_clocks.refresh([ticket.id])
    db.session.expire_all()
    ticket = db.session.get(Ticket, first.ticket_id)
    assert {name: getattr(ticket, name) for name in SLA_COLUMNS} == from_ingest
    assert db.session.scalars(select(SlaOutcome).where(SlaOutcome.ticket_id == ticket.id)).all() == []


def first_external_id(result) -> str:
    from helpdesk.models import Message

    return db.session.get(Message, result.message_id).external_id
