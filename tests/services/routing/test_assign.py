"""Automatic assignment on the real database: strategies, capacity, availability, SLA order,
backfill and the timeline's reasons."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import AgentAvailability, Ticket, TicketEvent
from helpdesk.models.base import utcnow
from helpdesk.services import events, tickets, timeline
from helpdesk.services.routing import assign, availability, settings
from helpdesk.services.routing.strategies import RECENT_HOURS


def _routing_lines(ticket_id: int) -> list[str]:
    rows = db.session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id,
                                                        TicketEvent.kind == "routing").order_by(TicketEvent.id))
    return [entry.text for entry in timeline.describe(list(rows))]


def _assignee(ticket) -> int | None:
    db.session.rollback()  # a read begun before the job's commit would not see it
    return db.session.get(Ticket, ticket.id).assignee_id


def test_least_loaded_gives_new_tickets_to_the_emptiest_agent_and_says_why(routed, agent, ticket):
    routed("least_loaded", ticket=5)
    ana, ben = agent("Ana"), agent("Ben")
    first, second, third = ticket(), ticket(), ticket()
    assert {_assignee(first), _assignee(second)} == {ana.id, ben.id}
    assert _assignee(third) in (ana.id, ben.id)
    lines = _routing_lines(second.id)
    assert len(lines) == 1 and lines[0].startswith("assigned automatically to ")
    assert "least loaded" in lines[0] and "ticket 0/5" in lines[0]


def test_routing_off_leaves_tickets_in_the_queue(groups, agent, ticket):
    agent("Ana")
    assert _assignee(ticket()) is None


def test_only_online_agents_under_capacity_get_work_and_the_rest_waits_saying_why(routed, agent, ticket):
    routed("round_robin", ticket=1)
    ana = agent("Ana")
    agent("Ben", status="away")
    agent("Cy", status="offline")  # never set
    first, second = ticket(), ticket()
    assert _assignee(first) == ana.id
    assert _assignee(second) is None
    assert _routing_lines(second.id) == ["waits in the queue: every online agent is at capacity for ticket"]


def test_round_robin_serves_the_longest_waiting_agent(routed, agent, ticket):
    routed("round_robin", ticket=10)
    people = [agent(name) for name in ("Ana", "Ben", "Cy")]
    got = [_assignee(ticket()) for _ in range(6)]
    assert got[:3] == [p.id for p in people] and got[3:] == got[:3]


def test_freed_capacity_backfills_the_queue_in_sla_order_breached_first(routed, agent, ticket):
    routed("least_loaded", ticket=1)
    ana = agent("Ana")
    busy = ticket()
    assert _assignee(busy) == ana.id
    waiting = [ticket() for _ in range(3)]
    now = utcnow()
    # The oldest is due last; the newest breached: the breached one goes first, then the nearest due.
    for row, state, due in zip(waiting, ("ok", "warning", "breached"),
                               (now + timedelta(hours=5), now + timedelta(hours=1), now - timedelta(minutes=5)), strict=True):
        row.sla_state, row.sla_due_at = state, due
    db.session.commit()
    tickets.update_ticket(db.session.get(Ticket, busy.id), ana, status="solved")
    assert _assignee(waiting[2]) == ana.id and _assignee(waiting[1]) is None
    tickets.update_ticket(db.session.get(Ticket, waiting[2].id), ana, status="solved")
    assert _assignee(waiting[1]) == ana.id and _assignee(waiting[0]) is None


def test_an_agent_coming_online_pulls_waiting_tickets(routed, agent, ticket):
    routed("least_loaded", ticket=2)
    ana = agent("Ana", status="offline")
    waiting = [ticket(), ticket(), ticket()]
    assert all(_assignee(t) is None for t in waiting)
    availability.set_status(ana, "online")
    assert sorted(_assignee(t) is not None for t in waiting) == [False, True, True]


def test_skills_route_by_language_and_topic(routed, agent, ticket, make_user):
    routed("skills", ticket=10)
    ana, ben = agent("Ana", status="offline"), agent("Ben", status="offline")
    settings.save_agent(ana.id, {}, [("language", "es", 5), ("tag", "billing", 2)])
    settings.save_agent(ben.id, {}, [("language", "en", 5), ("language", "es", 2), ("tag", "billing", 5)])
    spanish, english_billing, german = ticket(), ticket(), ticket()
    spanish.customer.language = "es-ES"
    english_billing.customer.language = "en"
    german.customer.language = "de"
    db.session.commit()
    tickets.update_ticket(db.session.get(Ticket, english_billing.id), None, tags=["billing"])
    with events.muted():  # both online before the queue is served
        for person in (ana, ben):
            availability.set_status(person, "online")
    assign.backfill(None)
    assert _assignee(spanish) == ana.id  # both speak Spanish, neither has had work this shift: the first
    assert _assignee(english_billing) == ben.id  # only Ben speaks English
    line = _routing_lines(english_billing.id)[-1]
    assert "skills: needs en, billing" in line and "en level 5" in line
    # Nobody online speaks German: rather than wait for ever, the best partial match takes it.
    assert _assignee(german) is not None
    assert "nobody available has them all, best partial match" in _routing_lines(german.id)[-1]


def test_skills_share_work_relative_to_capacity_and_a_new_shift_starts_at_zero(routed, agent, ticket):
    routed("skills", ticket=10)
    ana, ben = agent("Ana"), agent("Ben")
    settings.save_agent(ben.id, {"ticket": 20}, [])  # twice Ana's capacity: each ticket is half the share
    got = [_assignee(ticket()) for _ in range(6)]
    assert got.count(ana.id) == 2 and got.count(ben.id) == 4
    line = _routing_lines(ticket().id)[-1]  # Ana's two tickets of ten seats, seconds ago
    assert "recent work 4 min (this shift 4 min)" in line
    rows = {row.user_id: row for row in db.session.scalars(select(AgentAvailability))}
    assert rows[ana.id].shift_work == pytest.approx(3 * 20 / 10) and rows[ben.id].shift_work == pytest.approx(4 * 20 / 20)
    assert rows[ana.id].recent_work == pytest.approx(3 * 20 / 10, rel=0.05)  # faded by seconds only
    assert rows[ana.id].recent_work_at is not None
    availability.set_status(ana, "away")
    availability.set_status(ana, "online")  # back from a break: the same shift
    db.session.rollback()
    assert db.session.get(AgentAvailability, ana.id).shift_work == pytest.approx(3 * 20 / 10)
    availability.set_status(ana, "offline")
    availability.set_status(ana, "online")  # the next shift
    db.session.rollback()
    row = db.session.get(AgentAvailability, ana.id)
    assert row.shift_work == 0 and row.shift_started_at is not None


def test_skills_even_out_recent_work_so_work_taken_hours_ago_has_faded(routed, agent, ticket):
    routed("skills", ticket=10)
    ana, ben = agent("Ana"), agent("Ben")
    rows = {row.user_id: row for row in db.session.scalars(select(AgentAvailability))}
    # Ana took 100 minutes of work at the morning peak, five hours ago; Ben came on and took 10 just now.
    rows[ana.id].shift_work, rows[ana.id].recent_work = 100.0, 100.0
    rows[ana.id].recent_work_at = utcnow() - timedelta(hours=5)
    rows[ben.id].shift_work, rows[ben.id].recent_work, rows[ben.id].recent_work_at = 10.0, 10.0, utcnow()
    db.session.commit()
    row = ticket()
    assert _assignee(row) == ana.id  # 100 minutes faded over five hours: under one, against Ben's 10
    assert "recent work 0 min (this shift 100 min)" in _routing_lines(row.id)[-1]
    db.session.rollback()
    ana_row = db.session.get(AgentAvailability, ana.id)
    assert ana_row.shift_work == pytest.approx(102.0)
    assert ana_row.recent_work == pytest.approx(100 * math.exp(-5 / RECENT_HOURS) + 2.0, rel=1e-3)  # faded, then the ticket


def test_route_ticket_never_assigns_an_assigned_ticket_again(routed, agent, ticket):
    routed("least_loaded")
    ana = agent("Ana")
    row = ticket()
    assert _assignee(row) == ana.id
    assert assign.route_ticket(row.id) is None
    assert len(_routing_lines(row.id)) == 1


def test_capacity_settings_are_validated(groups):
    import pytest

    from helpdesk.services.routing.settings import RoutingSettingsError

    with pytest.raises(RoutingSettingsError) as err:
        settings.save_group(groups[0].id, strategy="random", chat_capacity=1, messaging_capacity=1,
                            ticket_capacity=1, offer_timeout=30)
    assert err.value.field == "strategy"
    with pytest.raises(RoutingSettingsError) as err:
        settings.save_group(groups[0].id, strategy="skills", chat_capacity=-1, messaging_capacity=1,
                            ticket_capacity=1, offer_timeout=30)
    assert err.value.field == "chat_capacity"
    with pytest.raises(RoutingSettingsError):
        settings.parse_skills("language")
    assert settings.parse_skills("language:ES:5, tag:billing") == [("language", "es", 5), ("tag", "billing", 3)]
