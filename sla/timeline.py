"""A ticket's SLA-relevant history as plain events, and its replay into facts over time.

The application builds the timeline from its own records (ticket creation, messages, status and
priority changes); this module only orders it and answers "what was true at instant t".
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TypeVar

from sla.policy import TicketFacts
from sla.wallclock import as_utc

_T = TypeVar("_T")


@dataclass(frozen=True)
class Created:
    """The ticket was created (by the customer's first message) with these facts and status."""

    at: datetime
    facts: TicketFacts = TicketFacts()
    status: str = "new"


@dataclass(frozen=True)
class CustomerMessage:
    """The customer wrote on the ticket (any channel)."""

    at: datetime


@dataclass(frozen=True)
class AgentReply:
    """An agent sent a public reply; internal notes are not part of the timeline."""

    at: datetime


@dataclass(frozen=True)
class StatusChanged:
    """The ticket's status became `status`."""

    at: datetime
    status: str


@dataclass(frozen=True)
class FactsChanged:
    """The ticket's facts (priority, tier, organization, group, channel) became `facts`."""

    at: datetime
    facts: TicketFacts


@dataclass(frozen=True)
class PolicyChanged:
    """An agent pinned the policy `policy_id`; None returns to choosing the policy by the facts."""

    at: datetime
    policy_id: str | None


Event = Created | CustomerMessage | AgentReply | StatusChanged | FactsChanged | PolicyChanged


@dataclass
class Replay:
    """What the timeline says, as step functions of time (each list holds (from-instant, value))."""

    created: datetime
    statuses: list[tuple[datetime, str]]
    facts: list[tuple[datetime, tuple[TicketFacts, str | None]]]
    first_reply: datetime | None = None
    exchanges: list[tuple[datetime, datetime | None]] = field(default_factory=list)

    def status_at(self, moment: datetime) -> str:
        """The status in force at `moment` (the last change at or before it)."""
        return _value_at(self.statuses, moment)

    def facts_at(self, moment: datetime) -> tuple[TicketFacts, str | None]:
        """The facts and the pinned policy id (or None) in force at `moment`."""
        return _value_at(self.facts, moment)

    def solved_since(self, solved: frozenset[str]) -> datetime | None:
        """When the ticket last became solved, if its latest status is one of `solved`."""
        since = None
        for at, status in reversed(self.statuses):
            if status not in solved:
                break
            since = at
        return since

    def active_segments(
        self, start: datetime, end: datetime, pauses: frozenset[str]
    ) -> list[tuple[datetime, datetime]]:
        """The parts of [start, end] during which the status was not in `pauses`, merged and in order."""
        segments: list[tuple[datetime, datetime]] = []
        bounds = [at for at, _ in self.statuses[1:]] + [end]
        for (at, status), following in zip(self.statuses, bounds, strict=True):
            low, high = max(at, start), min(following, end)
            if low >= high or status in pauses:
                continue
            if segments and segments[-1][1] == low:
                low = segments.pop()[0]
            segments.append((low, high))
        return segments


def _value_at(steps: list[tuple[datetime, _T]], moment: datetime) -> _T:
    index = bisect_right(steps, moment, key=lambda step: step[0]) - 1
    return steps[max(index, 0)][1]


def replay_timeline(events: Iterable[Event], now: datetime) -> Replay:
    """Order `events` (by time, `Created` first among equals, otherwise as given) and replay those up to `now`.

    Raises ValueError unless exactly one `Created` comes first and at or before `now`.
    """
    ordered = sorted(
        (replace(event, at=as_utc(event.at)) for event in events),
        key=lambda event: (event.at, not isinstance(event, Created)),
    )
    ordered = [event for event in ordered if event.at <= now]
    if not ordered or not isinstance(ordered[0], Created):
        raise ValueError("an SLA timeline starts with one Created event, at or before now")
    first = ordered[0]
    replay = Replay(first.at, [(first.at, first.status)], [(first.at, (first.facts, None))])
    pinned: str | None
    waiting: datetime | None
    facts, pinned, waiting = first.facts, None, None
    for event in ordered[1:]:
        match event:
            case Created():
                raise ValueError("an SLA timeline has exactly one Created event")
            case StatusChanged(at=at, status=status):
                replay.statuses.append((at, status))
            case FactsChanged(at=at, facts=facts):
                replay.facts.append((at, (facts, pinned)))
            case PolicyChanged(at=at, policy_id=pinned):
                replay.facts.append((at, (facts, pinned)))
            case CustomerMessage(at=at):
                if replay.first_reply is not None and waiting is None:
                    waiting = at
            case AgentReply(at=at):
                if replay.first_reply is None:
                    replay.first_reply = at
                elif waiting is not None:
                    replay.exchanges.append((waiting, at))
                    waiting = None
    if waiting is not None:
        replay.exchanges.append((waiting, None))
    return replay
