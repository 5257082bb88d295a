"""The SLA scheduler: warnings and breaches acted on exactly once, escalations, notifications, e-mail."""

from __future__ import annotations

import email
import threading

import pytest
from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import Notification, SlaCrossing, TicketEvent
from helpdesk.services import events, replies, tickets
from helpdesk.services.sla import scan as sla_scan
from helpdesk.services.sla.clocks import TICK
from tests.sla_app.conftest import MIN, T0, H, calendar_time


@pytest.fixture
def published():
    """Every sla.warning / sla.breached event published during the test."""
    seen: list[tuple[str, dict]] = []

    def record(sender, payload):
        seen.append((sender, payload))

    for signal in (events.sla_warning, events.sla_breached):
        signal.connect(record)
    yield seen
    for signal in (events.sla_warning, events.sla_breached):
        signal.disconnect(record)


def crossings() -> list[tuple[str, str]]:
    db.session.rollback()
    return [(c.target, c.kind) for c in db.session.scalars(select(SlaCrossing).order_by(SlaCrossing.id))]


def test_warning_then_breach_each_fire_once(policy, inbound, ticket_of, clock, published, groups):
    policy(targets=calendar_time(first=3600, resolution=None))
    ticket_id = inbound().ticket_id
    assert sla_scan.scan(T0 + 47 * MIN).fired == []  # before 80% of the hour: nothing to do
    assert len(sla_scan.scan(T0 + 48 * MIN).fired) == 1
    assert sla_scan.scan(T0 + 50 * MIN).fired == []  # still in warning: already acted on
    assert ticket_of(ticket_id).sla_state == "warning"
    assert ticket_of(ticket_id).sla_check_at == T0 + H + TICK  # next: the breach, just after the due time
    assert sla_scan.scan(T0 + H).fired == []  # due at, not yet past
    assert [c.kind for c in sla_scan.scan(T0 + 61 * MIN).fired] == ["breached"]
    assert sla_scan.scan(T0 + 2 * H).fired == []
    assert crossings() == [("first_response", "warning"), ("first_response", "breached")]
    assert [name for name, _ in published] == ["sla.warning", "sla.breached"]
    assert published[1][1]["ticket_id"] == ticket_id and published[1][1]["target"] == "first_response"
    ticket = ticket_of(ticket_id)
    assert (ticket.sla_state, ticket.sla_check_at) == ("breached", None)
    kinds = db.session.scalars(select(TicketEvent.data).where(TicketEvent.ticket_id == ticket_id,
                                                               TicketEvent.kind == "sla")).all()
    assert [k["crossing"] for k in kinds] == ["warning", "breached"]


def test_a_late_scan_fires_the_breach_only(policy, inbound, clock, groups):
    policy(targets=calendar_time(first=3600, resolution=None))
    inbound()
    assert [c.kind for c in sla_scan.scan(T0 + 3 * H).fired] == ["breached"]
    assert crossings() == [("first_response", "breached")]


def test_a_reply_in_time_stops_the_clock_before_the_breach(policy, inbound, ticket_of, make_user, clock, groups):
    policy(targets=calendar_time(first=3600, resolution=None))
    ticket_id = inbound().ticket_id
    sla_scan.scan(T0 + 50 * MIN)
    clock.at(T0 + 55 * MIN)
    replies.add_reply(ticket_of(ticket_id), make_user(), body="On it")
    assert ticket_of(ticket_id).sla_check_at is None
    assert sla_scan.scan(T0 + 2 * H).fired == []
    assert crossings() == [("first_response", "warning")]


def test_a_breach_caused_by_a_change_is_picked_up_by_the_next_scan(policy, inbound, ticket_of, make_user, clock,
                                                                    groups):
    policy("Urgent", targets=calendar_time(first=600, resolution=None), conditions={"priorities": ["urgent"]})
    policy("Standard", position=2, targets=calendar_time(first=3600, resolution=None))
    ticket_id = inbound().ticket_id
    clock.at(T0 + 20 * MIN)
    tickets.update_ticket(ticket_of(ticket_id), make_user(), priority="urgent")
    assert [c.kind for c in sla_scan.scan(T0 + 21 * MIN).fired] == ["breached"]


def test_pause_and_resume_do_not_warn_twice(policy, inbound, ticket_of, make_user, clock, groups):
    policy(targets=calendar_time(first=None, resolution=3600))
    agent = make_user()
    ticket_id = inbound().ticket_id
    assert len(sla_scan.scan(T0 + 50 * MIN).fired) == 1
    clock.at(T0 + 55 * MIN)
    tickets.update_ticket(ticket_of(ticket_id), agent, status="pending")
    clock.at(T0 + 2 * H)
    tickets.update_ticket(ticket_of(ticket_id), agent, status="open")  # due moves later by the pause
    assert ticket_of(ticket_id).resolution_due_at == T0 + H + 65 * MIN
    assert sla_scan.scan(T0 + 2 * H + MIN).fired == []
    assert [c.kind for c in sla_scan.scan(T0 + 3 * H).fired] == ["breached"]


def _scan_in_thread(app, now, barrier, results, errors):
    try:
        with app.app_context():
            barrier.wait(timeout=10)
            results.append(sla_scan.scan(now))
    except Exception as exc:  # noqa: BLE001 - reported by the test
        errors.append(exc)


def test_two_schedulers_at_once_act_once_per_crossing(app, policy, inbound, clock, groups, published):
    policy(targets=calendar_time(first=3600, resolution=2 * 3600))
    ids = [inbound(email=f"c{i}@example.com").ticket_id for i in range(12)]
    for now, kind in ((T0 + 50 * MIN, "warning"), (T0 + 3 * H, "breached")):
        barrier, results, errors = threading.Barrier(2), [], []
        threads = [threading.Thread(target=_scan_in_thread, args=(app, now, barrier, results, errors)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert errors == []
        fired = [c for report in results for c in report.fired]
        expected = 12 if kind == "warning" else 24  # breach: first response and resolution of each ticket
        assert len(fired) == expected, [len(r.fired) for r in results]
    db.session.rollback()
    counts = dict(db.session.execute(select(SlaCrossing.kind, func.count()).group_by(SlaCrossing.kind)).all())
    assert counts == {"warning": 12, "breached": 24}
    assert len(published) == 36
    assert sorted({p["ticket_id"] for _, p in published}) == ids


def test_breach_escalates_notifies_and_records_it(policy, inbound, ticket_of, make_user, clock, groups, published):
    support, billing = groups
    lead = make_user(role="agent", groups=("Billing",), name="Bea Billing")
    ana = make_user(role="agent", groups=("Support",), name="Ana")
    policy(targets=calendar_time(first=3600, resolution=None),
           escalations={"warning": {"priority": "high"},
                        "breached": {"priority": "urgent", "group_id": billing.id, "assignee_id": lead.id}})
    ticket_id = inbound().ticket_id
    tickets.update_ticket(ticket_of(ticket_id), ana, assignee_id=ana.id)
    sla_scan.scan(T0 + 50 * MIN)
    assert ticket_of(ticket_id).priority_name == "high"
    sla_scan.scan(T0 + 2 * H)
    ticket = ticket_of(ticket_id)
    assert (ticket.priority_name, ticket.group_id, ticket.assignee_id) == ("urgent", billing.id, lead.id)
    changes = db.session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id,
                                                           TicketEvent.kind == "changed").order_by(TicketEvent.id)).all()
    assert changes[-1].actor_id is None and changes[-1].data["group_id"] == [support.id, billing.id]
    assert published[-1][1]["escalated"]["priority"] == ["high", "urgent"]
    notes = db.session.scalars(select(Notification).order_by(Notification.id)).all()
    sla_notes = [n for n in notes if n.kind.startswith("sla.")]
    assert {(n.user_id, n.group_id) for n in sla_notes} == {(ana.id, None), (None, support.id)}
    assert "breached its SLA" in sla_notes[-1].text
    # The escalation's new assignee hears of it like any assignment.
    assert [(n.user_id, n.kind) for n in notes if not n.kind.startswith("sla.")] == [(lead.id, "assigned")]
    assert sla_scan.scan(T0 + 3 * H).fired == []  # the new urgent policy is the same one: no second breach


def test_escalation_moves_the_group_and_drops_an_assignee_outside_it(policy, inbound, ticket_of, make_user, clock,
                                                                     groups):
    support, billing = groups
    ana = make_user(role="agent", groups=("Support",))
    policy(targets=calendar_time(first=3600, resolution=None), escalations={"breached": {"group_id": billing.id}})
    ticket_id = inbound().ticket_id
    tickets.update_ticket(ticket_of(ticket_id), ana, assignee_id=ana.id)
    sla_scan.scan(T0 + 2 * H)
    assert (ticket_of(ticket_id).group_id, ticket_of(ticket_id).assignee_id) == (billing.id, None)


def test_supervisors_get_an_email_when_the_policy_asks(policy, inbound, make_user, clock, groups, smtp_server):
    boss = make_user(role="supervisor", email="boss@staff.example")
    make_user(role="agent")
    policy(targets=calendar_time(first=3600, resolution=None), email_supervisors=True)
    inbound()
    sla_scan.scan(T0 + 2 * H)
    assert len(smtp_server.messages) == 1
    envelope = smtp_server.messages[0]
    assert envelope.rcpt_tos == [boss.email]
    assert b"breached its SLA" in envelope.content


def test_a_crossing_speaks_each_readers_language(policy, inbound, ticket_of, make_user, clock, groups, smtp_server):
    """The assignee's notification is in their language, the group's in the helpdesk's default;
    supervisors are e-mailed one message per language."""
    support, _billing = groups
    ana = make_user(role="agent", groups=("Support",), name="Ana")
    ana.language = "es"
    boss = make_user(role="supervisor", email="boss@staff.example")
    chen = make_user(role="supervisor", email="chen@staff.example")
    chen.language = "zh"
    db.session.commit()
    policy(targets=calendar_time(first=3600, resolution=None), email_supervisors=True)
    ticket_id = inbound().ticket_id
    tickets.update_ticket(ticket_of(ticket_id), ana, assignee_id=ana.id)
    sla_scan.scan(T0 + 2 * H)
    notes = {(n.user_id, n.group_id): n.text for n in db.session.scalars(
        select(Notification).where(Notification.kind == "sla.breached"))}
    assert "primera respuesta incumplió su SLA" in notes[(ana.id, None)]
    assert "first response breached its SLA" in notes[(None, support.id)]
    mails = {tuple(m.rcpt_tos): email.message_from_bytes(m.content).get_payload(decode=True).decode()
             for m in smtp_server.messages}
    assert set(mails) == {(boss.email,), (chen.email,)}
    assert "first response breached its SLA" in mails[(boss.email,)]
    assert "首次响应 已违反 SLA" in mails[(chen.email,)] and "breached" not in mails[(chen.email,)]
