"""The pure strategies: SLA queue order, capacity, round robin, least loaded, skills with fallback."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest

from helpdesk.services.routing.strategies import (
    RECENT_HOURS,
    Agent,
    Work,
    kind_of,
    nobody_reason,
    queue_order,
    rank,
    recent,
    share,
)

T0 = datetime(2026, 12, 7, 9)


def _agent(n: int, **kw) -> Agent:
    kw.setdefault("capacity", {"chat": 2, "messaging": 2, "ticket": 10})
    return Agent(id=n, name=f"a{n}", **kw)


def test_the_queue_is_breached_first_then_nearest_due_then_oldest():
    items = [Work(1, "ticket", due_at=T0 + timedelta(hours=2), created_at=T0),
             Work(2, "ticket", due_at=T0 + timedelta(hours=1), created_at=T0 + timedelta(minutes=5)),
             Work(3, "ticket", breached=True, due_at=T0 - timedelta(hours=1), created_at=T0 + timedelta(minutes=9)),
             Work(4, "ticket", created_at=T0 - timedelta(hours=3)),
             Work(5, "ticket", created_at=T0 - timedelta(hours=4))]
    assert [w.ticket_id for w in queue_order(items)] == [3, 2, 1, 5, 4]


def test_channels_map_to_the_capacity_kinds():
    assert [kind_of(c) for c in ("webchat", "telegram", "whatsapp", "messenger", "email", None)] == [
        "chat", "messaging", "messaging", "messaging", "ticket", "ticket"]


def test_only_online_agents_with_room_are_ranked():
    agents = [_agent(1, status="away"), _agent(2, load={"chat": 2}), _agent(3)]
    assert [c.agent.id for c in rank("round_robin", Work(9, "chat"), agents)] == [3]
    assert rank("off", Work(9, "chat"), agents) == []
    assert nobody_reason("round_robin", Work(9, "chat"), agents[:2]) == {"code": "at_capacity", "kind": "chat"}


def test_least_loaded_weighs_each_kind_by_capacity():
    busy_chat = _agent(1, load={"chat": 1})  # half of the chat capacity
    busy_tickets = _agent(2, load={"ticket": 3})  # three tenths of the ticket capacity
    assert [c.agent.id for c in rank("least_loaded", Work(9, "ticket"), [busy_chat, busy_tickets])] == [2, 1]


def test_round_robin_serves_the_longest_waiting():
    agents = [_agent(1, last_assigned_at=T0), _agent(2, last_assigned_at=T0 - timedelta(minutes=1)), _agent(3)]
    assert [c.agent.id for c in rank("round_robin", Work(9, "ticket"), agents)] == [3, 2, 1]


def test_skills_need_every_skill_and_fall_back_only_when_urgent_or_nobody_online_has_them():
    es = _agent(1, skills={("language", "es"): 5}, load={"ticket": 10})  # speaks Spanish, but full
    en = _agent(2, skills={("language", "en"): 5})
    work = Work(9, "ticket", language="es-ES")
    assert rank("skills", work, [es, en]) == []  # Spanish speaker online: wait for them
    urgent = Work(9, "ticket", language="es", urgent=True)
    assert [c.agent.id for c in rank("skills", urgent, [es, en])] == [2]
    es.status = "offline"
    assert [c.agent.id for c in rank("skills", work, [es, en])] == [2]  # nobody online speaks it


def test_skills_pick_the_able_agent_with_least_recent_work_relative_to_capacity():
    speaks = {("language", "es"): 2}
    expert = _agent(1, skills={("language", "es"): 5}, recent_work=60)
    small = _agent(2, skills=speaks, capacity={"ticket": 10}, recent_work=50)
    large = _agent(3, skills=speaks, capacity={"ticket": 20}, recent_work=50, last_assigned_at=T0)
    mute = _agent(4, skills={("language", "en"): 5})  # no Spanish: not able, however idle
    work = Work(9, "ticket", language="es")
    assert [c.agent.id for c in rank("skills", work, [expert, small, large, mute])] == [2, 3, 1]
    # In minutes of the whole agent: a ticket (20 typical minutes) of ten seats, of twenty; a chat of two.
    assert share(small.capacity, "ticket") == 2 * share(large.capacity, "ticket") == 2.0
    assert share({"chat": 2}, "chat") == 5.0 and share({"chat": 0}, "chat") == 0.0


def test_recent_work_fades_with_the_hours_since_it_was_counted():
    assert recent(60, T0, T0 + timedelta(hours=RECENT_HOURS)) == pytest.approx(60 / math.e)
    assert recent(60, T0, T0 + timedelta(hours=8)) < 0.1  # yesterday's shift is gone
    assert recent(60, T0, T0) == recent(60, None, T0) == recent(60, T0, None) == 60


def test_skills_share_overlapping_shifts_by_recent_work_not_by_the_shift_total():
    # Eight o'clock's agent took 120 minutes of work in the morning peak, most of it hours ago; noon's
    # agent came on at twelve and took 30 minutes in the last half hour. The afternoon's next ticket
    # is noon's agent's only if the morning is held against the eight o'clock one: it is not.
    now = T0.replace(hour=13)
    early = _agent(1, shift_work=120, recent_work=60, recent_work_at=T0.replace(hour=10))
    late = _agent(2, shift_work=30, recent_work=30, recent_work_at=now - timedelta(minutes=5))
    choices = rank("skills", Work(9, "ticket"), [late, early], now=now)
    assert [c.agent.id for c in choices] == [1, 2]
    assert choices[0].reason["recent"] == round(recent(60, early.recent_work_at, now)) and choices[0].reason["minutes"] == 120
    # Without a clock nothing fades: the stored figures order them.
    assert [c.agent.id for c in rank("skills", Work(9, "ticket"), [late, early])] == [2, 1]
