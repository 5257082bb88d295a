"""SLA clocks from ticket timelines, worked by hand (policies and times: tests/sla/examples.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from sla import (
    AgentReply,
    ClockState,
    Created,
    CustomerMessage,
    Event,
    FactsChanged,
    PolicyChanged,
    SlaPolicy,
    SlaStatus,
    StatusChanged,
    Target,
    TargetClock,
    TargetKind,
    TicketFacts,
    compute_sla,
)
from tests.sla.examples import FIRST, MIN, NEXT, NORMAL, POLICIES, RESOLUTION, STANDARD, URGENT, H, t


def status_at(now: datetime, *events: Event, policies: list[SlaPolicy] = POLICIES) -> SlaStatus:
    return compute_sla(events, policies, now)


def clock(status: SlaStatus, kind: TargetKind) -> TargetClock:
    found = status.clock(kind)
    assert found is not None
    return found


# -- first response -----------------------------------------------------------------------------


def test_first_response_met() -> None:
    # Created Monday 10:00, 4h goal -> due 14:00; replied 12:00 after 2h: met.
    status = status_at(t(2, 18), Created(t(2, 10), NORMAL), AgentReply(t(2, 12)))
    first = clock(status, FIRST)
    assert (first.state, first.due_at, first.used, first.stopped_at) == (ClockState.MET, t(2, 14), 2 * H, t(2, 12))
    assert status.policy_id == "standard"
    assert status.due_at(FIRST) is None  # met: nothing left to watch


def test_first_response_missed() -> None:
    # Replied Tuesday 10:00: Monday 10-17 (7h) + Tuesday 9-10 (1h) = 8h used, due was Monday 14:00.
    first = clock(status_at(t(3, 12), Created(t(2, 10), NORMAL), AgentReply(t(3, 10))), FIRST)
    assert (first.state, first.due_at, first.used, first.left) == (ClockState.MISSED, t(2, 14), 8 * H, -4 * H)


def test_first_response_ok_warning_breached_as_time_passes() -> None:
    # Due Monday 14:00; warning from 3h used (0.75 x 4h) = 13:00; breached after 14:00.
    created = Created(t(2, 10), NORMAL)
    states = [clock(status_at(now, created), FIRST).state for now in (t(2, 12, 59), t(2, 13), t(2, 14), t(2, 14, 1))]
    assert states == [ClockState.OK, ClockState.WARNING, ClockState.WARNING, ClockState.BREACHED]
    breached = clock(status_at(t(2, 15), created), FIRST)
    assert (breached.used, breached.left, breached.due_at) == (5 * H, -H, t(2, 14))


def test_warning_at_is_when_the_warning_share_of_the_goal_is_used() -> None:
    # 3h of the 4h goal (warning_fraction 0.75) from Monday 10:00 is 13:00; a pause moves it on.
    created = Created(t(2, 10), NORMAL)
    assert clock(status_at(t(2, 11), created), FIRST).warning_at == t(2, 13)
    paused = (created, StatusChanged(t(2, 11), "pending"), StatusChanged(t(2, 12), "open"))
    resolution = clock(status_at(t(2, 12), *paused), RESOLUTION)
    assert resolution.warning_at == t(3, 15, 48)  # 12h48m (0.8 x 16h): 6h on Monday (not 11-12), 6h48m on Tuesday
    assert clock(status_at(t(2, 11, 30), *paused[:2]), RESOLUTION).warning_at is None  # paused: unknown


def test_breached_after_hours_even_though_no_business_time_passed() -> None:
    # Created Monday 13:00, due 17:00 exactly. At 18:00 the used time is 4h (no more business time
    # since 17:00), but the due time has passed: breached.
    first = clock(status_at(t(2, 18), Created(t(2, 13), NORMAL)), FIRST)
    assert (first.state, first.used, first.due_at) == (ClockState.BREACHED, 4 * H, t(2, 17))


def test_business_time_rolls_over_the_weekend() -> None:
    # Created Friday 16:00: 1h on Friday + 3h Monday -> due Monday the 9th, 12:00.
    status = status_at(t(7, 12), Created(t(6, 16), NORMAL))
    first = clock(status, FIRST)
    assert (first.state, first.used, first.due_at) == (ClockState.OK, H, t(9, 12))
    assert status.due_at(FIRST) == t(9, 12)


# -- pauses, solve and reopen -------------------------------------------------------------------


PENDING_TIMELINE = (
    Created(t(2, 10), NORMAL, status="open"),
    AgentReply(t(2, 11)),
    StatusChanged(t(2, 11), "pending"),
    CustomerMessage(t(4, 9)),
    StatusChanged(t(4, 9), "open"),
)


def test_pending_pauses_resolution_and_due_is_unknown_while_paused() -> None:
    # Tuesday 12:00: resolution ran Monday 10-11 (1h) and is paused since.
    resolution = clock(status_at(t(3, 12), *PENDING_TIMELINE), RESOLUTION)
    assert (resolution.paused, resolution.due_at, resolution.used, resolution.state) == (True, None, H, ClockState.OK)


def test_resolution_resumes_when_the_customer_answers() -> None:
    # Wednesday 12:00: 1h Monday + Wednesday 9-12 (3h) = 4h used; 12h left from Wednesday 12:00:
    # Wednesday 12-17 (5h) + Thursday 9-16 (7h) -> due Thursday 16:00.
    resolution = clock(status_at(t(4, 12), *PENDING_TIMELINE), RESOLUTION)
    assert (resolution.paused, resolution.used, resolution.due_at) == (False, 4 * H, t(5, 16))


def test_pending_does_not_pause_a_target_that_does_not_list_it() -> None:
    # First response has no pause statuses; it was met at 11:00 anyway. Next response is not
    # running (the customer has not written since the first reply until Wednesday).
    status = status_at(t(3, 12), *PENDING_TIMELINE)
    assert clock(status, FIRST).state is ClockState.MET
    assert status.clock(NEXT) is None


def test_a_pause_after_the_due_time_keeps_it_breached() -> None:
    # Urgent: resolution 4h from Monday 10:00 -> due 14:00. Pending from 15:00; at 16:00 the
    # clock is paused but was already overdue: breached, due still known.
    urgent = TicketFacts(priority="urgent")
    events = (Created(t(2, 10), urgent), AgentReply(t(2, 10, 30)), StatusChanged(t(2, 15), "pending"))
    resolution = clock(status_at(t(2, 16), *events), RESOLUTION)
    assert (resolution.paused, resolution.due_at, resolution.used) == (True, t(2, 14), 5 * H)
    assert resolution.state is ClockState.BREACHED


def test_solved_stops_resolution_and_reopen_resumes_it() -> None:
    # Solved Monday 15:00 after 5h (10-15): met; had it run on, 11h more = Monday 15-17 (2h) +
    # Tuesday (8h) + Wednesday 9-10 (1h) -> due Wednesday 10:00. Reopened Tuesday 10:00: at Tuesday
    # 12:00 used = 5h + 2h = 7h (Monday 15-17 and Tuesday 9-10 were solved and do not count);
    # 9h left from Tuesday 12:00: Tuesday 12-17 (5h) + Wednesday 9-13 (4h) -> due Wednesday 13:00.
    events: list[Event] = [Created(t(2, 10), NORMAL), AgentReply(t(2, 11)), StatusChanged(t(2, 15), "solved")]
    solved = clock(status_at(t(3, 9), *events), RESOLUTION)
    assert (solved.state, solved.stopped_at, solved.used, solved.due_at) == (ClockState.MET, t(2, 15), 5 * H, t(4, 10))
    events.append(StatusChanged(t(3, 10), "open"))
    reopened = clock(status_at(t(3, 12), *events), RESOLUTION)
    assert (reopened.state, reopened.stopped_at, reopened.used, reopened.due_at) == (
        ClockState.OK,
        None,
        7 * H,
        t(4, 13),
    )


def test_solved_after_the_due_time_is_missed() -> None:
    # Urgent resolution due Monday 14:00; solved 16:00 -> missed with 6h used.
    urgent = TicketFacts(priority="urgent")
    events = (Created(t(2, 10), urgent), AgentReply(t(2, 10, 30)), StatusChanged(t(2, 16), "solved"))
    resolution = clock(status_at(t(2, 17), *events), RESOLUTION)
    assert (resolution.state, resolution.used) == (ClockState.MISSED, 6 * H)


def test_solved_without_a_reply_pauses_first_response() -> None:
    # Solved at 11:00 with no reply: first response stops counting at 1h and stays paused.
    events = (Created(t(2, 10), NORMAL), StatusChanged(t(2, 11), "solved"))
    first = clock(status_at(t(3, 12), *events), FIRST)
    assert (first.paused, first.used, first.due_at, first.state) == (True, H, None, ClockState.OK)


# -- next response ------------------------------------------------------------------------------


CONVERSATION = (
    Created(t(2, 10), NORMAL),
    AgentReply(t(2, 11)),
    CustomerMessage(t(2, 16)),
    CustomerMessage(t(3, 9, 30)),  # a second message before the answer does not restart the clock
    AgentReply(t(3, 10)),
    CustomerMessage(t(3, 12)),
)


def test_next_response_restarts_at_each_customer_message_after_a_reply() -> None:
    # Exchange 1: Monday 16:00 -> Tuesday 10:00 = 1h + 1h = 2h used; due 8h later = Monday 1h +
    # Tuesday 7h -> Tuesday 16:00: met. Exchange 2 from Tuesday 12:00; at Wednesday 10:00, used
    # Tuesday 12-17 (5h) + Wednesday 9-10 (1h) = 6h; due Tuesday 5h + Wednesday 3h -> Wednesday 12:00.
    status = status_at(t(4, 10), *CONVERSATION)
    done, running = status.next_responses
    assert (done.started_at, done.stopped_at, done.used, done.due_at) == (t(2, 16), t(3, 10), 2 * H, t(3, 16))
    assert done.state is ClockState.MET
    assert (running.started_at, running.used, running.due_at, running.state) == (
        t(3, 12),
        6 * H,
        t(4, 12),
        ClockState.OK,
    )
    assert status.clock(NEXT) == running
    assert [c.kind for c in status.clocks] == [FIRST, NEXT, RESOLUTION]
    assert status.due_at(NEXT) == t(4, 12)


def test_next_response_breaches_when_unanswered() -> None:
    status = status_at(t(4, 12, 30), *CONVERSATION)
    assert clock(status, NEXT).state is ClockState.BREACHED


def test_customer_messages_before_the_first_reply_start_no_next_response() -> None:
    status = status_at(t(2, 12), Created(t(2, 10), NORMAL), CustomerMessage(t(2, 10, 30)), AgentReply(t(2, 11)))
    assert status.next_responses == ()


# -- priority and policy changes ----------------------------------------------------------------


def raised(at: datetime) -> FactsChanged:
    return FactsChanged(at, replace(NORMAL, priority="urgent"))


def test_raising_priority_measures_the_new_goal_from_the_original_start() -> None:
    # Created Monday 10:00 as normal (due 14:00), urgent from 10:30: first response due
    # 10:00 + 1h = 11:00. At 10:45, 45m used < 48m warning threshold: ok. At 11:30: breached.
    events = (Created(t(2, 10), NORMAL), raised(t(2, 10, 30)))
    early = clock(status_at(t(2, 10, 45), *events), FIRST)
    assert (early.policy_id, early.due_at, early.state) == ("urgent", t(2, 11), ClockState.OK)
    assert clock(status_at(t(2, 11, 30), *events), FIRST).state is ClockState.BREACHED


def test_raising_priority_late_can_breach_at_once() -> None:
    # Urgent from 12:00: due 11:00 already passed.
    first = clock(status_at(t(2, 12), Created(t(2, 10), NORMAL), raised(t(2, 12))), FIRST)
    assert (first.due_at, first.state) == (t(2, 11), ClockState.BREACHED)


def test_lowering_priority_moves_the_due_time_later() -> None:
    urgent = replace(NORMAL, priority="urgent")
    events = (Created(t(2, 10), urgent), FactsChanged(t(2, 10, 30), NORMAL))
    first = clock(status_at(t(2, 12), *events), FIRST)
    assert (first.policy_id, first.due_at, first.state) == ("standard", t(2, 14), ClockState.OK)


def test_a_target_already_met_keeps_the_policy_it_was_measured_under() -> None:
    # First response met at 12:00 under standard (2h < 4h); urgent from 13:00. Resolution now runs
    # under urgent: 4h from 10:00 -> due 14:00.
    status = status_at(t(2, 13, 30), Created(t(2, 10), NORMAL), AgentReply(t(2, 12)), raised(t(2, 13)))
    first, resolution = clock(status, FIRST), clock(status, RESOLUTION)
    assert (first.policy_id, first.state) == ("standard", ClockState.MET)
    assert (resolution.policy_id, resolution.due_at, resolution.state) == ("urgent", t(2, 14), ClockState.WARNING)
    assert status.policy_id == "urgent"


def test_pinned_policy_overrides_matching_until_unpinned() -> None:
    # Pinned to chat at 10:05: 10 calendar minutes from 10:00 -> due 10:10; chat sets no resolution.
    events: list[Event] = [Created(t(2, 10), NORMAL), PolicyChanged(t(2, 10, 5), "chat")]
    pinned = status_at(t(2, 10, 20), *events)
    assert pinned.policy_id == "chat"
    assert [(c.kind, c.due_at, c.state, c.business_time) for c in pinned.clocks] == [
        (FIRST, t(2, 10, 10), ClockState.BREACHED, False)
    ]
    events.append(PolicyChanged(t(2, 10, 30), None))
    assert status_at(t(2, 10, 40), *events).policy_id == "standard"
    with pytest.raises(KeyError):
        status_at(t(2, 11), Created(t(2, 10), NORMAL), PolicyChanged(t(2, 10, 5), "gone"))


def test_no_matching_policy_gives_no_clocks() -> None:
    status = status_at(t(2, 12), Created(t(2, 10), NORMAL), policies=[URGENT])
    assert (status.policy_id, status.clocks, status.next_responses) == (None, (), ())


# -- recomputation and conventions --------------------------------------------------------------


def test_same_timeline_same_answer_and_order_of_input_does_not_matter() -> None:
    now = t(4, 10)
    assert status_at(now, *CONVERSATION) == status_at(now, *reversed(CONVERSATION))


def test_an_earlier_now_gives_the_clocks_as_they_stood_then() -> None:
    # At Tuesday 09:45 the first exchange was still running: Monday 1h + Tuesday 45m.
    then = status_at(t(3, 9, 45), *CONVERSATION)
    running = clock(then, NEXT)
    assert (running.started_at, running.stopped_at, running.used) == (t(2, 16), None, H + 45 * MIN)
    assert then == status_at(t(3, 9, 45), *CONVERSATION[:4])


def test_a_policy_change_recomputes_history() -> None:
    # The same ticket under a standard policy whose first response goal became 1h: missed.
    events = (Created(t(2, 10), NORMAL), AgentReply(t(2, 12)))
    stricter = replace(STANDARD, targets=(Target(FIRST, H),))
    assert clock(status_at(t(2, 18), *events), FIRST).state is ClockState.MET
    assert clock(status_at(t(2, 18), *events, policies=[stricter]), FIRST).state is ClockState.MISSED


def test_naive_times_mean_utc_and_results_are_aware_utc() -> None:
    # Naive 09:00 UTC is 10:00 in Madrid: due 14:00 Madrid = 13:00 UTC.
    status = compute_sla([Created(datetime(2026, 2, 2, 9), NORMAL)], POLICIES, datetime(2026, 2, 2, 10))
    first = clock(status, FIRST)
    assert first.due_at == datetime(2026, 2, 2, 13, tzinfo=UTC)
    assert first.due_at.tzinfo is UTC and status.now.tzinfo is UTC


def test_timelines_without_a_single_leading_created_are_refused() -> None:
    with pytest.raises(ValueError):
        compute_sla([AgentReply(t(2, 10))], POLICIES, t(2, 12))
    with pytest.raises(ValueError):
        compute_sla([Created(t(2, 10)), AgentReply(t(2, 9))], POLICIES, t(2, 12))
    with pytest.raises(ValueError):
        compute_sla([Created(t(2, 10)), Created(t(2, 11))], POLICIES, t(2, 12))
    with pytest.raises(ValueError):
        compute_sla([Created(t(2, 10))], POLICIES, t(2, 9))
