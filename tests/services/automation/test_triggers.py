"""Triggers: conditions over a ticket, actions through the services, at most once per ticket and
event, a timeline line per firing, rules converted and still deciding at intake."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select, update

from helpdesk.extensions import db
from helpdesk.models import (
    Message,
    Notification,
    PriorityRule,
    SettingsRevision,
    Ticket,
    TicketEvent,
    Trigger,
    TriggerFiring,
)
from helpdesk.models.base import utcnow
from helpdesk.services import replies, tickets
from helpdesk.services.automation import runner, triggers
from helpdesk.services.automation.conditions import ConditionError
from helpdesk.services.fields import definitions


def trigger(**data) -> Trigger:
    return triggers.save(None, {"name": "t", "event": "customer.replied", "match_all": [], "actions": []} | data)


def timeline(ticket_id: int, kind: str) -> list[dict]:
    return [e.data for e in db.session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id,
                                                                         TicketEvent.kind == kind).order_by(TicketEvent.id))]


def test_a_customer_reply_with_matching_words_tags_and_notifies_once(inbound, groups):
    thread = {"thread_key": "conversation-1"}
    first = inbound(email="ana@example.com", body="hello", **thread)
    refund = trigger(name="Refund replies", match_all=[{"field": "text", "op": "contains", "value": ["REFUND"]}],
                     actions=[{"type": "add_tags", "tags": ["refund"]}, {"type": "set", "field": "priority", "value": "high"},
                              {"type": "notify", "text": "Refund asked on #{{ticket.number}}"}])
    # Another trigger on the same event that does not match: never fires.
    trigger(name="Never", match_all=[{"field": "channel", "op": "is", "value": "telegram"}],
            actions=[{"type": "add_tags", "tags": ["never"]}])
    assert inbound(email="ana@example.com", body="I want a refund", **thread).ticket_id == first.ticket_id
    db.session.expire_all()
    ticket = db.session.get(Ticket, first.ticket_id)
    assert ticket.tags == ["refund"] and ticket.priority_name == "high"
    assert [d["name"] for d in timeline(ticket.id, "trigger")] == ["Refund replies"]
    assert [n.text for n in db.session.scalars(select(Notification).where(Notification.ticket_id == ticket.id))
            if n.kind == "trigger"] == [f"Refund asked on #{ticket.id}"]
    # The trigger's own change (ticket.updated) fired nothing more; a second reply is a new event.
    inbound(email="ana@example.com", body="refund, please", **thread)
    firings = db.session.scalars(select(TriggerFiring).where(TriggerFiring.trigger_id == refund.id)).all()
    assert len(firings) == 2 and len({f.event_key for f in firings}) == 2


def test_the_same_event_delivered_twice_fires_once(inbound, groups):
    result = inbound(email="b@example.com", body="hi")
    trigger(name="Tagger", event="ticket.updated", actions=[{"type": "add_tags", "tags": ["seen"]}])
    payload = {"ticket_id": result.ticket_id, "changes": {"status": ["new", "open"]}}
    assert runner.run("ticket.updated", "k1", payload) != []
    assert runner.run("ticket.updated", "k1", payload) == []
    assert len(timeline(result.ticket_id, "trigger")) == 1


def test_a_trigger_another_process_saves_counts_from_the_next_event(inbound, groups):
    result = inbound(email="c@example.com", body="my parcel is late")
    trigger(name="Telegram only", event="ticket.updated", match_all=[{"field": "channel", "op": "is", "value": "telegram"}],
            actions=[{"type": "add_tags", "tags": ["telegram"]}])
    payload = {"ticket_id": result.ticket_id, "changes": {"status": ["new", "open"]}}
    assert runner.run("ticket.updated", "k1", payload) == []  # this process has prepared the event now
    db.session.rollback()
    # Another process saves a trigger: its row and a new settings token, committed together.
    with db.engine.begin() as other:
        other.execute(insert(Trigger.__table__).values(
            origin="trigger", position=1, name="Late parcels", active=True, event="ticket.updated", stop=False,
            match_all=[{"field": "text", "op": "contains", "value": ["parcel"]}], match_any=[],
            actions=[{"type": "add_tags", "tags": ["parcel"]}], created_at=utcnow(), updated_at=utcnow()))
        other.execute(update(SettingsRevision.__table__).values(token="saved-by-another-process"))
    late = db.session.scalar(select(Trigger.id).where(Trigger.name == "Late parcels"))
    db.session.rollback()
    assert runner.run("ticket.updated", "k2", payload) == [late]
    db.session.expire_all()
    assert db.session.get(Ticket, result.ticket_id).tags == ["parcel"]


def test_conditions_any_and_custom_fields_and_tier(inbound, groups, make_user):
    agent = make_user()
    definitions.save(None, {"entity": "ticket", "key": "reason", "label": "Reason", "kind": "dropdown",
                            "options": ["Refund", "Bug"]})
    trigger(name="Bugs to agent", event="ticket.updated",
            match_all=[{"field": "custom.reason", "op": "is", "value": "Bug"}],
            match_any=[{"field": "customer.tier", "op": "in", "value": ["vip"]},
                       {"field": "tags", "op": "includes", "value": ["crash"]}],
            actions=[{"type": "assign", "user_id": agent.id}])
    result = inbound(email="c@example.com", body="it broke")
    ticket = db.session.get(Ticket, result.ticket_id)
    tickets.update_ticket(ticket, None, custom_fields={"reason": "Bug"})
    assert db.session.get(Ticket, result.ticket_id).assignee_id is None  # neither vip nor crash
    tickets.update_ticket(ticket, None, tags=["crash"])
    assert db.session.get(Ticket, result.ticket_id).assignee_id == agent.id


def test_an_agent_reply_trigger_sees_the_reply_and_a_refused_change_is_explained(inbound, groups, make_user):
    agent = make_user()
    outsider = make_user(groups=("Billing",))
    result = inbound(email="d@example.com", body="hi")
    trigger(name="Hand to billing person", event="agent.replied", actions=[{"type": "assign", "user_id": outsider.id}])
    ticket = db.session.get(Ticket, result.ticket_id)
    replies.add_reply(ticket, agent, body="We are on it")
    [failed] = timeline(result.ticket_id, "trigger_failed")
    assert failed["name"] == "Hand to billing person" and "not a member" in failed["error"]
    assert db.session.get(Ticket, result.ticket_id).assignee_id is None


def test_a_reply_from_a_template_goes_out_as_the_system(inbound, groups):
    trigger(name="Ack", event="ticket.created",
            actions=[{"type": "reply", "body": "Hi {{customer.first_name}}, we got #{{ticket.number}}"}])
    result = inbound(email="e@example.com", name="Eva Díaz", body="hello")
    sent = db.session.scalars(select(Message).where(Message.ticket_id == result.ticket_id, Message.kind == "outbound")).all()
    assert [m.body_text for m in sent] == [f"Hi Eva, we got #{result.ticket_id}"] and sent[0].is_automated


def test_rules_are_triggers_and_decide_at_intake(inbound, groups):
    support, billing = groups
    db.session.add(PriorityRule(position=1, name="Invoices", conditions={"keywords": ["invoice"]},
                                set_group_id=billing.id, set_priority=2))
    db.session.commit()
    rule = db.session.scalar(select(Trigger))
    assert (rule.origin, rule.event) == ("rule", "ticket.created")
    assert rule.match_all == [{"field": "text", "op": "contains", "value": ["invoice"]}]
    ticket = db.session.get(Ticket, inbound(body="my Invoice is wrong").ticket_id)
    assert (ticket.group_id, ticket.priority_name) == (billing.id, "high")
    assert timeline(ticket.id, "trigger") == []  # nothing more to do after intake: the created line says it


@pytest.mark.parametrize("data, field", [
    ({"event": "ticket.exploded"}, "event"),
    ({"match_all": [{"field": "shoe_size", "op": "is", "value": 1}]}, "match_all[0].field"),
    ({"match_all": [{"field": "status", "op": "resembles", "value": 1}]}, "match_all[0].op"),
    ({"actions": [{"type": "set", "field": "status", "value": "exploded"}]}, "actions[0].value"),
    ({"actions": []}, "actions"),
])
def test_invalid_triggers_name_the_field(app, groups, data, field):
    with pytest.raises(ConditionError) as caught:
        triggers.save(None, {"name": "x", "event": "ticket.created", "actions": [{"type": "add_tags", "tags": ["a"]}]} | data)
    assert caught.value.field == field


def test_a_known_customers_custom_field_decides_at_intake(inbound, groups):
    from helpdesk.services import customers

    support, billing = groups
    definitions.save(None, {"entity": "customer", "key": "plan", "label": "Plan", "kind": "dropdown",
                            "options": ["Free", "Enterprise"]})
    triggers.save(None, {"name": "Enterprise to Billing, urgent", "event": "ticket.created",
                         "match_all": [{"field": "customer.custom.plan", "op": "is", "value": "Enterprise"}],
                         "actions": [{"type": "set", "field": "priority", "value": "urgent"},
                                     {"type": "set", "field": "group_id", "value": billing.id}]})
    first = db.session.get(Ticket, inbound(email="boss@corp.example", thread_key="1").ticket_id)
    assert (first.priority_name, first.group_id) == ("normal", support.id)  # new customer: no plan yet
    customers.update_customer(first.customer, custom_fields={"plan": "Enterprise"})
    second = db.session.get(Ticket, inbound(email="boss@corp.example", thread_key="2").ticket_id)
    assert (second.priority_name, second.group_id) == ("urgent", billing.id)


def test_a_trigger_applies_a_macro_as_its_owner_and_says_so(inbound, groups, make_user):
    from helpdesk.services.macros import library

    agent = make_user()
    macro = library.save(agent, {"name": "Waiting on you", "body": "Hi {{customer.first_name}}, over to you.",
                                 "actions": {"status": "pending", "add_tags": ["waiting"]}})
    trigger(name="Questions wait", event="ticket.created", match_all=[{"field": "text", "op": "contains", "value": ["?"]}],
            actions=[{"type": "macro", "macro_id": macro.id}])
    ticket_id = inbound(email="q@example.com", name="Quim Puig", body="Can I pay by card?").ticket_id
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket_id)
    assert (ticket.status, ticket.tags) == ("pending", ["waiting"])
    [reply] = db.session.scalars(select(Message).where(Message.ticket_id == ticket_id, Message.kind == "outbound")).all()
    assert reply.body_text == "Hi Quim, over to you." and reply.author_id == agent.id
    assert [d["name"] for d in timeline(ticket_id, "trigger")] == ["Questions wait"]
    assert [d["name"] for d in timeline(ticket_id, "macro_applied")] == ["Waiting on you"]
