"""SLA policies: which tickets a policy covers, and the targets it sets for them.

A policy has conditions on plain ticket facts (priority, customer tier, organization, group,
channel) and up to one target of each kind: first response, next response (after each customer
message that follows an agent reply) and resolution. Each target is measured in business time (on
the policy's calendar) or in calendar time (real elapsed time), names the statuses that pause it,
and says at what fraction of its goal it starts warning.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sla.calendar import BusinessCalendar
from sla.wallclock import as_utc

DEFAULT_SOLVED_STATUSES = frozenset({"solved", "closed"})


class TargetKind(StrEnum):
    """What a target measures, up to the event that meets it."""

    FIRST_RESPONSE = "first_response"  # ticket created -> first public agent reply
    NEXT_RESPONSE = "next_response"  # customer message after an agent reply -> next public agent reply
    RESOLUTION = "resolution"  # ticket created -> status becomes solved


@dataclass(frozen=True)
class TicketFacts:
    """The facts about a ticket that a policy's conditions look at; None means unknown or unset."""

    priority: str | None = None
    tier: str | None = None
    organization: str | None = None
    group: str | None = None
    channel: str | None = None


@dataclass(frozen=True)
class Conditions:
    """Which tickets a policy covers: each non-empty set must contain the ticket's fact; empty sets match anything."""

    priorities: frozenset[str] = frozenset()
    tiers: frozenset[str] = frozenset()
    organizations: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for name in ("priorities", "tiers", "organizations", "groups", "channels"):
            value = getattr(self, name)
            if isinstance(value, str):
                raise ValueError(f"Conditions.{name} is a set of values, not the string {value!r}")
            object.__setattr__(self, name, frozenset(value))

    def matches(self, facts: TicketFacts) -> bool:
        """True when every condition that is set holds for `facts`."""
        pairs = (
            (self.priorities, facts.priority),
            (self.tiers, facts.tier),
            (self.organizations, facts.organization),
            (self.groups, facts.group),
            (self.channels, facts.channel),
        )
        return all(not allowed or value in allowed for allowed, value in pairs)


@dataclass(frozen=True)
class Target:
    """A goal for one kind of target: `goal` of business (or calendar) time, paused in `pause_statuses`.

    `warning_fraction` is the share of the goal used after which the clock says `warning`.
    """

    kind: TargetKind
    goal: timedelta
    business_time: bool = True
    pause_statuses: frozenset[str] = frozenset()
    warning_fraction: float = 0.8

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", TargetKind(self.kind))
        object.__setattr__(self, "pause_statuses", frozenset(self.pause_statuses))
        if self.goal <= timedelta(0):
            raise ValueError(f"a {self.kind} target needs a positive goal, not {self.goal}")
        if not 0 < self.warning_fraction <= 1:
            raise ValueError(f"warning_fraction is in (0, 1], not {self.warning_fraction}")


@dataclass(frozen=True)
class SlaPolicy:
    """A named policy: the tickets it covers, its targets, its calendar and which statuses mean solved.

    `calendar` is required when any target counts business time. A ticket in one of
    `solved_statuses` stops the resolution target and pauses the response targets.
    """

    id: str
    name: str
    targets: tuple[Target, ...]
    conditions: Conditions = Conditions()
    calendar: BusinessCalendar | None = None
    solved_statuses: frozenset[str] = DEFAULT_SOLVED_STATUSES

    def __post_init__(self) -> None:
        object.__setattr__(self, "targets", tuple(self.targets))
        object.__setattr__(self, "solved_statuses", frozenset(self.solved_statuses))
        kinds = [target.kind for target in self.targets]
        if len(set(kinds)) != len(kinds):
            raise ValueError(f"policy {self.id!r} has more than one target of a kind: {kinds}")
        if self.calendar is None and any(target.business_time for target in self.targets):
            raise ValueError(f"policy {self.id!r} counts business time but has no calendar")

    def target(self, kind: TargetKind) -> Target | None:
        """The policy's target of `kind`, or None when it sets none."""
        return next((target for target in self.targets if target.kind == kind), None)

    def elapsed(self, target: Target, start: datetime, end: datetime) -> timedelta:
        """Time counted by `target` from `start` to `end`: business time on the calendar, or real time."""
        if target.business_time and self.calendar is not None:
            return self.calendar.business_time_between(start, end)
        return as_utc(end) - as_utc(start)

    def advance(self, target: Target, start: datetime, amount: timedelta) -> datetime:
        """The instant (aware UTC) by which `target` has counted `amount` since `start`."""
        if target.business_time and self.calendar is not None:
            return self.calendar.add_business_time(start, amount)
        return as_utc(start) + amount

    def due(self, kind: TargetKind, start: datetime) -> datetime | None:
        """When a target of `kind` started at `start` falls due if nothing pauses it (a preview), or None."""
        target = self.target(kind)
        return None if target is None else self.advance(target, start, target.goal)


def select_policy(policies: Iterable[SlaPolicy], facts: TicketFacts) -> SlaPolicy | None:
    """The first policy, in the order given, whose conditions match `facts`; None if none does."""
    return next((policy for policy in policies if policy.conditions.matches(facts)), None)


def policy_by_id(policies: Sequence[SlaPolicy], policy_id: str) -> SlaPolicy:
    """The policy with `policy_id`; raises KeyError when there is none."""
    for policy in policies:
        if policy.id == policy_id:
            return policy
    raise KeyError(f"no SLA policy with id {policy_id!r}")
