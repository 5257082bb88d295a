"""SlaPolicy, Target and Conditions: matching tickets, choosing a policy, measuring a target."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sla import BusinessCalendar, Conditions, SlaPolicy, Target, TargetKind, TicketFacts, policy_by_id, select_policy

H = timedelta(hours=1)
MADRID = ZoneInfo("Europe/Madrid")
OFFICE = BusinessCalendar.from_hours("Europe/Madrid", {"mon-fri": "09:00-17:00"})


ANY = Conditions()


def policy(policy_id: str, conditions: Conditions = ANY, *targets: Target) -> SlaPolicy:
    return SlaPolicy(id=policy_id, name=policy_id, targets=targets, conditions=conditions, calendar=OFFICE)


def test_empty_conditions_match_every_ticket() -> None:
    assert Conditions().matches(TicketFacts())
    assert Conditions().matches(TicketFacts(priority="low", channel="email"))


def test_every_set_condition_must_hold() -> None:
    vip_chat = Conditions(tiers=frozenset({"gold", "platinum"}), channels=frozenset({"webchat"}))
    assert vip_chat.matches(TicketFacts(tier="gold", channel="webchat", priority="low"))
    assert not vip_chat.matches(TicketFacts(tier="gold", channel="email"))
    assert not vip_chat.matches(TicketFacts(tier=None, channel="webchat"))


def test_conditions_cover_priority_organization_and_group() -> None:
    conditions = Conditions(
        priorities=frozenset({"urgent"}), organizations=frozenset({"acme"}), groups=frozenset({"billing"})
    )
    assert conditions.matches(TicketFacts(priority="urgent", organization="acme", group="billing"))
    assert not conditions.matches(TicketFacts(priority="urgent", organization="acme", group="sales"))


def test_a_bare_string_is_refused_as_a_condition_set() -> None:
    with pytest.raises(ValueError):
        Conditions(priorities="urgent")  # type: ignore[arg-type]


def test_first_matching_policy_wins_in_the_order_given() -> None:
    urgent = policy("urgent", Conditions(priorities=frozenset({"urgent"})))
    fallback = policy("default")
    policies = [urgent, fallback]
    assert select_policy(policies, TicketFacts(priority="urgent")) is urgent
    assert select_policy(policies, TicketFacts(priority="low")) is fallback
    assert select_policy([urgent], TicketFacts(priority="low")) is None
    assert policy_by_id(policies, "default") is fallback
    with pytest.raises(KeyError):
        policy_by_id(policies, "missing")


def test_targets_measure_business_or_calendar_time() -> None:
    business = Target(TargetKind.FIRST_RESPONSE, 2 * H)
    calendar_time = Target(TargetKind.RESOLUTION, 24 * H, business_time=False)
    sla = policy("p", ANY, business, calendar_time)
    friday = datetime(2026, 1, 9, 16, 30, tzinfo=MADRID)
    # Business: Friday 16:30 + 2h = Monday 10:30. Calendar: + 24h = Saturday 16:30.
    assert sla.due(TargetKind.FIRST_RESPONSE, friday) == datetime(2026, 1, 12, 10, 30, tzinfo=MADRID)
    assert sla.due(TargetKind.RESOLUTION, friday) == datetime(2026, 1, 10, 16, 30, tzinfo=MADRID)
    assert sla.due(TargetKind.NEXT_RESPONSE, friday) is None
    monday = datetime(2026, 1, 12, 10, 30, tzinfo=MADRID)
    assert sla.elapsed(business, friday, monday) == 2 * H
    assert sla.elapsed(calendar_time, friday, monday) == 66 * H


def test_calendar_time_policy_needs_no_calendar() -> None:
    sla = SlaPolicy("p", "p", (Target(TargetKind.RESOLUTION, H, business_time=False),))
    start = datetime(2026, 1, 1, 12)  # naive means UTC
    assert sla.due(TargetKind.RESOLUTION, start) == datetime(2026, 1, 1, 13, tzinfo=UTC)


def test_invalid_policies_are_refused() -> None:
    with pytest.raises(ValueError, match="no calendar"):
        SlaPolicy("p", "p", (Target(TargetKind.RESOLUTION, H),))
    with pytest.raises(ValueError, match="more than one"):
        policy("p", ANY, Target(TargetKind.RESOLUTION, H), Target(TargetKind.RESOLUTION, 2 * H))
    with pytest.raises(ValueError, match="positive"):
        Target(TargetKind.RESOLUTION, timedelta(0))
    with pytest.raises(ValueError, match="warning_fraction"):
        Target(TargetKind.RESOLUTION, H, warning_fraction=1.5)


def test_target_kind_accepts_its_stored_name() -> None:
    target = Target("next_response", H, pause_statuses={"pending"})  # type: ignore[arg-type]
    assert target.kind is TargetKind.NEXT_RESPONSE
    assert target.pause_statuses == frozenset({"pending"})
