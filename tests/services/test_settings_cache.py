"""Routing rules, groups and SLA policies are cached per process, yet every change applies to the
very next message, whoever made it, and a change that was rolled back never applies."""

from __future__ import annotations

import threading

from sqlalchemy import event

from helpdesk.extensions import db
from helpdesk.models import Group, PriorityRule, Ticket
from helpdesk.services import rules
from helpdesk.services.sla import config as sla_config

TARGETS = [{"kind": "first_response", "goal_seconds": 3600, "business_time": False, "warning_fraction": 0.8,
            "pause_statuses": []}]


def in_another_session(app, work) -> None:
    """Run `work` in another thread's session, as another web process or worker would, and commit."""
    def run():
        with app.app_context():
            work()
            db.session.commit()
            db.session.remove()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()


def priority_of(result) -> str:
    return db.session.get(Ticket, result.ticket_id).priority_name


def test_a_rule_saved_elsewhere_applies_to_the_next_message(app, inbound, groups):
    assert priority_of(inbound(email="a@example.com", subject="refund please")) == "normal"  # cached now
    in_another_session(app, lambda: rules.save_rule(None, name="Refunds", conditions={"keywords": ["refund"]},
                                                    set_priority="urgent", set_group_id=None, position=1))
    assert priority_of(inbound(email="b@example.com", subject="refund please")) == "urgent"

    def switch_off():
        rule = db.session.query(PriorityRule).one()
        rule.active = False

    in_another_session(app, switch_off)
    assert priority_of(inbound(email="c@example.com", subject="refund please")) == "normal"


def test_a_new_default_group_applies_to_the_next_message(app, inbound, groups):
    support, billing = groups
    assert db.session.get(Ticket, inbound(email="a@example.com").ticket_id).group_id == support.id

    def make_billing_default():
        for group in db.session.query(Group):
            group.is_default = group.name == "Billing"

    in_another_session(app, make_billing_default)
    assert db.session.get(Ticket, inbound(email="b@example.com").ticket_id).group_id == billing.id


def test_a_rolled_back_rule_never_applies(app, inbound, groups):
    inbound(email="a@example.com", subject="refund please")
    db.session.add(PriorityRule(name="Refunds", conditions={"keywords": ["refund"]}, set_priority=3, position=1))
    db.session.flush()  # the change is visible inside its own transaction
    assert [r.name for r in rules.routing().rules] == ["Refunds"]
    db.session.rollback()
    assert rules.routing().rules == ()
    assert priority_of(inbound(email="b@example.com", subject="refund please")) == "normal"


def test_an_sla_policy_saved_elsewhere_gives_the_next_ticket_a_clock(app, inbound, groups):
    first = inbound(email="a@example.com")
    assert db.session.get(Ticket, first.ticket_id).first_response_due_at is None
    in_another_session(app, lambda: sla_config.save_policy(None, name="Standard", targets=TARGETS))
    second = db.session.get(Ticket, inbound(email="b@example.com").ticket_id)
    assert second.sla_policy_id is not None and second.first_response_due_at is not None


def test_unchanged_settings_are_read_with_one_query_per_message(app, inbound, groups):
    rules.save_rule(None, name="Refunds", conditions={"keywords": ["refund"]}, set_priority="urgent",
                    set_group_id=None, position=1)
    sla_config.save_policy(None, name="Standard", targets=TARGETS)
    inbound(email="a@example.com")  # fills the caches
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2].lower())  # noqa: E731 - (conn, cursor, statement, ...)
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        result = inbound(email="b@example.com", subject="refund please")
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert priority_of(result) == "urgent"
    reads = [s for s in statements if s.lstrip().startswith("select")]
    assert sum("from settings_revision" in s for s in reads) == 1
    assert not [s for s in reads if any(f"from {t}" in s for t in ("priority_rules", "groups", "sla_policies"))]


def test_the_subscribers_of_one_event_read_the_committed_token_once(app, monkeypatch):
    from helpdesk.services import events, settings_cache

    reads = []
    real = settings_cache.driver_cursor
    monkeypatch.setattr(settings_cache, "driver_cursor", lambda: reads.append(1) or real())
    subscribers = [lambda *_a, **_k: settings_cache.peek("triggers"),
                   lambda *_a, **_k: settings_cache.peek("webhook_subscriptions")]
    for subscriber in subscribers:
        events.message_created.connect(subscriber, weak=False)
    try:
        events.publish("message.created", {"ticket_id": 0, "message_id": 0, "kind": "note"})
        assert len(reads) == 1
        events.publish("message.created", {"ticket_id": 0, "message_id": 0, "kind": "note"})
        assert len(reads) == 2  # the next event reads it again: a change committed meanwhile counts
        settings_cache.peek("triggers")
        settings_cache.peek("triggers")
        assert len(reads) == 4  # outside an event, every peek reads it
    finally:
        for subscriber in subscribers:
            events.message_created.disconnect(subscriber)


def test_whether_any_sla_policy_is_active_follows_a_policy_saved_elsewhere(app, groups):
    assert sla_config.active_policies().policies == ()  # cached: none
    db.session.commit()
    assert sla_config.any_active_policy() is False
    in_another_session(app, lambda: sla_config.save_policy(None, name="Standard", targets=TARGETS))
    assert sla_config.any_active_policy() is True
    db.session.commit()
    assert sla_config.active_policies().policies  # cached again under the new token
    db.session.commit()
    assert sla_config.any_active_policy() is True
