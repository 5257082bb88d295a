"""The pure strategies: SLA queue order, capacity, round robin, least loaded, skills with fallback."""

from __future__ import annotations

from datetime import datetime, timedelta

from helpdesk.services.routing.strategies import Agent, Work, kind_of, nobody_reason, queue_order, rank, share

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


def test_skills_pick_the_able_agent_with_least_work_this_shift_relative_to_capacity():
    speaks = {("language", "es"): 2}
    expert = _agent(1, skills={("language", "es"): 5}, shift_work=60)
    small = _agent(2, skills=speaks, capacity={"ticket": 10}, shift_work=50)
    large = _agent(3, skills=speaks, capacity={"ticket": 20}, shift_work=50, last_assigned_at=T0)
    mute = _agent(4, skills={("language", "en"): 5})  # no Spanish: not able, however idle
    work = Work(9, "ticket", language="es")
    assert [c.agent.id for c in rank("skills", work, [expert, small, large, mute])] == [2, 3, 1]
    # In minutes of the whole agent: a ticket (20 typical minutes) of ten seats, of twenty; a chat of two.
    assert share(small.capacity, "ticket") == 2 * share(large.capacity, "ticket") == 2.0
    assert share({"chat": 2}, "chat") == 5.0 and share({"chat": 0}, "chat") == 0.0
