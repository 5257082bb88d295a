"""SLA clocks computed from a ticket's event timeline.

`compute_sla(timeline, policies, now)` replays plain events (created, customer message, public
agent reply, status change, facts change, policy change) and returns, for each target of the
policy in force, its due time, the time used and left, whether it is paused, and its state. It
reads nothing else, so the same timeline, policies and `now` always give the same answer: when a
policy or calendar changes, history is recomputed by calling it again.

Rules:

- **Starts and stops.** First response runs from creation to the first public agent reply;
  resolution from creation to the moment the ticket last became solved (reopening resumes it,
  and the time spent solved does not count); next response runs from the first customer message
  after an agent reply to the next agent reply, once per such exchange (further customer messages
  before the reply do not restart it). Customer messages before the first reply belong to first
  response.
- **Pauses.** A target's clock does not count while the ticket's status is in the target's
  `pause_statuses` or in the policy's `solved_statuses`. While paused and not yet overdue its
  `due_at` is None: the due time is unknown until the clock runs again.
- **Priority or policy change.** A target is measured with the policy in force when it stopped,
  or at `now` while it runs, as if that policy had applied from the target's original start
  (pauses included). So raising a ticket to urgent makes it due at creation + the urgent goal,
  which may already be overdue, rather than granting a fresh allowance: re-prioritising cannot
  reset an SLA, the result depends only on the timeline, and a target already met or missed keeps
  the verdict of the policy it was measured under.
- **States.** `met`/`missed`: stopped at or before / after its due time. `breached`: running (or
  paused) with `now` after its due time. `warning`: time used at least `warning_fraction` of the
  goal. `ok` otherwise.

Times go in as aware datetimes (naive means UTC) and come out as aware UTC datetimes. Events
later than `now` are ignored, so passing an earlier `now` gives the clocks as they stood then.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sla.policy import DEFAULT_SOLVED_STATUSES, SlaPolicy, Target, TargetKind, policy_by_id, select_policy
from sla.timeline import Event, Replay, replay_timeline
from sla.wallclock import as_utc

__all__ = ["ClockState", "SlaStatus", "TargetClock", "compute_sla"]


class ClockState(StrEnum):
    """Where a target stands."""

    OK = "ok"
    WARNING = "warning"
    BREACHED = "breached"
    MET = "met"
    MISSED = "missed"


@dataclass(frozen=True)
class TargetClock:
    """One target's clock: `used` counts business or calendar time as the target does."""

    kind: TargetKind
    policy_id: str
    started_at: datetime
    stopped_at: datetime | None
    due_at: datetime | None
    goal: timedelta
    used: timedelta
    paused: bool
    state: ClockState
    business_time: bool
    warning_at: datetime | None = None  # when `used` reaches the warning share of the goal (same rules as due_at)

    @property
    def left(self) -> timedelta:
        """Goal minus time used; negative once overdue."""
        return self.goal - self.used

    @property
    def running(self) -> bool:
        """True until the target's stopping event has happened."""
        return self.stopped_at is None


@dataclass(frozen=True)
class SlaStatus:
    """All clocks of one ticket at `now`.

    `clocks` holds one clock per target of the policy in force (for next response, the latest
    exchange); `next_responses` holds every next-response exchange in order, for reports.
    """

    now: datetime
    policy_id: str | None
    clocks: tuple[TargetClock, ...] = ()
    next_responses: tuple[TargetClock, ...] = ()

    def clock(self, kind: TargetKind) -> TargetClock | None:
        """The clock of `kind`, or None when no target of that kind applies."""
        return next((clock for clock in self.clocks if clock.kind == kind), None)

    def due_at(self, kind: TargetKind) -> datetime | None:
        """Due time of the running target of `kind`, for the ticket row and the breach scan.

        None when the target has stopped (met or missed), is absent, or is paused before its due time.
        """
        clock = self.clock(kind)
        return clock.due_at if clock is not None and clock.running else None


def compute_sla(timeline: Iterable[Event], policies: Sequence[SlaPolicy], now: datetime) -> SlaStatus:
    """Replay `timeline` (events from `sla.timeline`, one `Created`) against `policies` (first match wins).

    Returns an `SlaStatus` at `now`. Raises ValueError when the timeline has no `Created` event at
    or before `now`, or has events before it; KeyError when it pins an unknown policy id;
    NoBusinessTimeError when a business-time target's calendar has no hours at all.
    """
    now = as_utc(now)
    replay = replay_timeline(timeline, now)
    current = _policy_at(replay, policies, now)
    solved = current.solved_statuses if current is not None else DEFAULT_SOLVED_STATUSES
    first = _clock(replay, policies, TargetKind.FIRST_RESPONSE, replay.created, replay.first_reply, now)
    exchanges = [
        _clock(replay, policies, TargetKind.NEXT_RESPONSE, start, stop, now) for start, stop in replay.exchanges
    ]
    resolution = _clock(replay, policies, TargetKind.RESOLUTION, replay.created, replay.solved_since(solved), now)
    next_responses = tuple(clock for clock in exchanges if clock is not None)
    latest = next_responses[-1] if next_responses else None
    clocks = tuple(clock for clock in (first, latest, resolution) if clock is not None)
    return SlaStatus(now, current.id if current is not None else None, clocks, next_responses)


def _policy_at(replay: Replay, policies: Sequence[SlaPolicy], moment: datetime) -> SlaPolicy | None:
    facts, pinned = replay.facts_at(moment)
    if pinned is not None:
        return policy_by_id(policies, pinned)
    return select_policy(policies, facts)


def _clock(
    replay: Replay,
    policies: Sequence[SlaPolicy],
    kind: TargetKind,
    start: datetime,
    stop: datetime | None,
    now: datetime,
) -> TargetClock | None:
    policy = _policy_at(replay, policies, stop or now)
    target = policy.target(kind) if policy is not None else None
    if policy is None or target is None:
        return None
    pauses = target.pause_statuses | policy.solved_statuses
    end = stop or now
    segments = replay.active_segments(start, end, pauses)
    paused = stop is None and replay.status_at(now) in pauses
    resume_at = None if paused else end
    used, due = _measure(policy, target, segments, resume_at)
    _, warning_at = _measure(policy, target, segments, resume_at, target.goal * target.warning_fraction)
    return TargetClock(
        kind=kind,
        policy_id=policy.id,
        started_at=start,
        stopped_at=stop,
        due_at=due,
        goal=target.goal,
        used=used,
        paused=paused,
        state=_state(target, used, due, stop, now),
        business_time=target.business_time,
        warning_at=warning_at,
    )


def _measure(
    policy: SlaPolicy,
    target: Target,
    segments: list[tuple[datetime, datetime]],
    resume_at: datetime | None,
    amount: timedelta | None = None,
) -> tuple[timedelta, datetime | None]:
    """Time counted over `segments`, and the instant `amount` (the goal by default) was (or will be,
    from `resume_at`) reached."""
    amount = target.goal if amount is None else amount
    used, due = timedelta(0), None
    for low, high in segments:
        span = policy.elapsed(target, low, high)
        if due is None and used + span >= amount:
            due = policy.advance(target, low, amount - used)
        used += span
    if due is None and resume_at is not None:
        due = policy.advance(target, resume_at, amount - used)
    return used, due


def _state(target: Target, used: timedelta, due: datetime | None, stop: datetime | None, now: datetime) -> ClockState:
    if stop is not None:
        return ClockState.MET if due is not None and stop <= due else ClockState.MISSED
    if due is not None and now > due:
        return ClockState.BREACHED
    if used >= target.goal * target.warning_fraction:
        return ClockState.WARNING
    return ClockState.OK
