"""Properties of SLA clocks over generated timelines (policies and helpers from test_clock)."""

from __future__ import annotations

from datetime import datetime, timedelta
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from sla import (
    AgentReply,
    ClockState,
    Created,
    CustomerMessage,
    Event,
    FactsChanged,
    StatusChanged,
    TicketFacts,
    compute_sla,
)
from tests.sla.examples import FIRST, MIN, NORMAL, POLICIES, RESOLUTION, t

STATUSES = st.sampled_from(["open", "pending", "on_hold", "solved"])
START = t(2, 8)


@st.composite
def timelines(draw: st.DrawFn, facts: st.SearchStrategy[TicketFacts]) -> list[Event]:
    """A Created event then up to 12 events at distinct minutes over the following two weeks."""
    offsets = sorted(draw(st.lists(st.integers(1, 14 * 24 * 60), max_size=12, unique=True)))
    events: list[Event] = [Created(START, draw(facts))]
    for minutes in offsets:
        at = START + minutes * MIN
        kind = draw(st.sampled_from(["customer", "reply", "status", "facts"]))
        if kind == "customer":
            events.append(CustomerMessage(at))
        elif kind == "reply":
            events.append(AgentReply(at))
        elif kind == "status":
            events.append(StatusChanged(at, draw(STATUSES)))
        else:
            events.append(FactsChanged(at, draw(facts)))
    return events


PRIORITIES = st.builds(TicketFacts, priority=st.sampled_from(["normal", "urgent"]))
NOWS = st.integers(0, 16 * 24 * 60).map(lambda minutes: START + minutes * MIN)


@settings(max_examples=150, deadline=None)
@given(timelines(PRIORITIES), NOWS, st.randoms(use_true_random=False))
def test_clock_states_agree_with_their_times_whatever_the_input_order(
    events: list[Event], now: datetime, shuffler: Random
) -> None:
    status = compute_sla(events, POLICIES, now)
    shuffled = list(events)
    shuffler.shuffle(shuffled)
    assert compute_sla(shuffled, POLICIES, now) == status
    for found in (*status.clocks, *status.next_responses):
        end = found.stopped_at or status.now
        assert timedelta(0) <= found.used <= end - found.started_at
        assert not (found.paused and found.stopped_at is not None)
        if found.state is ClockState.MET:
            assert found.due_at is not None and end <= found.due_at
        elif found.state is ClockState.MISSED:
            assert found.due_at is not None and end > found.due_at
        elif found.state is ClockState.BREACHED:
            assert found.due_at is not None and status.now > found.due_at and found.running
        else:
            assert found.running and (found.due_at is None or status.now <= found.due_at)


@settings(max_examples=100, deadline=None)
@given(timelines(st.just(NORMAL)), NOWS, NOWS)
def test_time_used_never_goes_back_as_now_advances(events: list[Event], early: datetime, late: datetime) -> None:
    early, late = sorted((early, late))
    before, after = compute_sla(events, POLICIES, early), compute_sla(events, POLICIES, late)
    for kind in (FIRST, RESOLUTION):
        was, now = before.clock(kind), after.clock(kind)
        assert was is not None and now is not None
        assert was.used <= now.used
