"""Report facts: what each ticket's stored history credits to whom, and the daily rollups.

In: tickets, their messages, their ticket events and their SLA outcomes. Out: `ReportFact` rows
(see `models.reports` for the kinds) and `ReportDaily` sums. Credit goes to who acted:
- first response: the author of the first public reply (not a note, not an automated message);
- replied: each agent who wrote a public reply on the ticket, dated at their first one, `n` replies;
- solved: the actor of each change to solved (or to closed from an open status), on its day,
  with the resolution time from the ticket's creation to that solve;
- reopened: a solve undone (by the customer writing again or by a status change), credited to the
  agent whose solve it undid;
- assigned: each assignment event, to the agent assigned;
- SLA outcomes: first response to the first responder, resolution to the latest solver before it,
  each on the day compliance counts it (services.sla.compliance: a miss on the day it breached).

Business time goes through the calendar of the ticket's SLA policy (`sla_policy_id`); resolution
business time also leaves out the time spent pending or on hold (waiting for the customer). A ticket
with no policy, or a policy without a calendar, counts calendar time as business time: the SLA
engine counts real time for such targets too. Dimensions (group, channel, priority) are the
ticket's current ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import Date, and_, case, delete, func, insert, select, text, update

import sla
from helpdesk.extensions import db
from helpdesk.models import (
    Message,
    ReportDaily,
    ReportFact,
    ReportMonthly,
    SlaCalendar,
    SlaOutcome,
    SlaPolicyConfig,
    Ticket,
    TicketEvent,
)
from helpdesk.services.sla import compliance as sla_compliance
from helpdesk.services.sla import config as sla_config
from helpdesk.services.transactions import begin_write, retry_when_busy

# Resolution business time stops while the ticket waits for the customer or stays solved (until reopened).
PAUSES = frozenset({"pending", "on_hold", "solved"})
SOLVED = frozenset({"solved", "closed"})
STATUS_EVENTS = ("changed", "status", "reopened", "merged_into")
BATCH = 1000
LOCK_SPACE = 7203  # PostgreSQL advisory locks (space, ticket id): one refresh of a ticket at a time


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)


def _status_change(kind: str, data: dict | None) -> tuple[str, str] | None:
    change = (data or {}).get("status")
    if kind in ("changed", "status", "reopened") and isinstance(change, list) and len(change) == 2:
        return change[0], change[1]
    return None


class _Clock:
    """Calendar and business time of one ticket, with its status history for the pauses."""

    def __init__(self, created: datetime, statuses: list[tuple[datetime, str]], calendar: sla.BusinessCalendar | None):
        self.created, self.statuses, self.calendar = created, statuses, calendar

    def _business(self, start: datetime, end: datetime) -> timedelta:
        if self.calendar is None:
            return end - start
        return self.calendar.business_time_between(_aware(start), _aware(end))

    def business(self, end: datetime, pauses: frozenset[str] = frozenset()) -> int:
        """Business seconds from creation to `end`, outside the statuses in `pauses`."""
        total = timedelta()
        bounds = [at for at, _ in self.statuses[1:]] + [end]
        for (at, status), following in zip(self.statuses, bounds, strict=True):
            low, high = max(at, self.created), min(following, end)
            if low < high and status not in pauses:
                total += self._business(low, high)
        return int(total.total_seconds())

    def calendar_seconds(self, end: datetime) -> int:
        return max(0, int((end - self.created).total_seconds()))


def _history(ticket: Ticket, events: Sequence[tuple], add) -> tuple[list, list]:
    """Walk the ticket's events: `add` the assignments and reopens; return the status history
    [(at, status)] and the solves [(at, actor id)]."""
    statuses: list[tuple[datetime, str]] = [(ticket.created_at, "new")]
    solves: list[tuple[datetime, int | None]] = []
    for event_id, kind, actor_id, data, at in events:
        at = max(at, ticket.created_at)
        if kind == "merged_into":
            statuses.append((at, "closed"))
            continue
        assignee = (data or {}).get("assignee_id") if kind == "changed" else None
        if isinstance(assignee, list) and len(assignee) == 2 and assignee[1] is not None:
            add("assigned", event_id, assignee[1], at)
        change = _status_change(kind, data)
        if change is None:
            continue
        old, new = change
        statuses.append((at, new))
        if new == "solved" or (new == "closed" and old not in SOLVED):
            solves.append((at, actor_id))
        elif old in SOLVED and new not in SOLVED and solves:
            add("reopened", event_id, solves[-1][1], at)
    return statuses, solves


def _replies(ticket: Ticket, messages: Sequence[tuple]) -> dict[int, list[datetime]]:
    """The times of each agent's public replies (not notes, not automated messages), oldest first."""
    replies: dict[int, list[datetime]] = defaultdict(list)
    for kind, author_id, automated, at in messages:
        if kind == "outbound" and not automated and author_id is not None:
            replies[author_id].append(max(at, ticket.created_at))
    return replies


def facts_of(ticket: Ticket, events: Sequence[tuple], messages: Sequence[tuple], outcomes: Sequence[tuple],
             calendar: sla.BusinessCalendar | None) -> list[dict]:
    """The facts of one ticket as rows for `report_facts`.

    `events`: (id, kind, actor_id, data, created_at) by id; `messages`: (kind, author_id,
    is_automated, created_at) oldest first; `outcomes`: (target, stopped_at, due_at, met) of each
    decided target (services.sla.compliance), by the moment it counts.
    """
    base = {"ticket_id": ticket.id, "group_id": ticket.group_id, "channel": ticket.channel, "priority": ticket.priority}
    facts: list[dict] = []

    def add(kind: str, key: int, agent_id: int | None, at: datetime, **values) -> None:
        facts.append(base | {"kind": kind, "key": key, "agent_id": agent_id, "at": at, "day": at.date(),
                             "seconds": None, "business_seconds": None, "n": 1, "met": None} | values)

    statuses, solves = _history(ticket, events, add)
    clock = _Clock(ticket.created_at, statuses, calendar)
    for index, (at, actor_id) in enumerate(solves):
        add("solved", index, actor_id, at, seconds=clock.calendar_seconds(at), business_seconds=clock.business(at, PAUSES))
    replies = _replies(ticket, messages)
    first = min(((times[0], agent) for agent, times in replies.items()), default=None)
    if first is not None:
        at, agent = first
        add("first_response", 0, agent, at, seconds=clock.calendar_seconds(at), business_seconds=clock.business(at))
    for agent, times in replies.items():
        add("replied", agent, agent, times[0], n=len(times))
    for index, (target, stopped_at, due_at, met) in enumerate(outcomes):
        # Dated as compliance counts it (met: when it stopped; missed: when it breached, even
        # while it still runs), credited to who stopped it, if anyone has yet.
        at = sla_compliance.counted_at(bool(met), stopped_at, due_at)
        if target == "first_response":
            add("sla_first_response", index, first[1] if first and stopped_at else None, at, met=bool(met))
        elif target == "resolution":
            solver = next((actor for when, actor in reversed(solves) if stopped_at and when <= stopped_at), None)
            add("sla_resolution", index, solver, at, met=bool(met))
    return facts


def _calendars() -> dict[int, sla.BusinessCalendar]:
    """The business calendar of each SLA policy that has one, by policy id (two small queries)."""
    rows = db.session.execute(select(SlaPolicyConfig.id, SlaPolicyConfig.calendar_id)
                              .where(SlaPolicyConfig.calendar_id.is_not(None))).all()
    calendars = {c.id: c for c in db.session.scalars(select(SlaCalendar))} if rows else {}
    return {policy_id: sla_config.calendar_of(calendars[cal_id]) for policy_id, cal_id in rows if cal_id in calendars}


def _compute(ids: Sequence[int], calendars: dict[int, sla.BusinessCalendar]) -> list[dict]:
    """The facts of tickets `ids`: four queries whatever their number."""
    tickets = list(db.session.scalars(select(Ticket).where(Ticket.id.in_(ids))))
    events: dict[int, list] = defaultdict(list)
    for row in db.session.execute(
        select(TicketEvent.ticket_id, TicketEvent.id, TicketEvent.kind, TicketEvent.actor_id, TicketEvent.data,
               TicketEvent.created_at)
        .where(TicketEvent.ticket_id.in_(ids), TicketEvent.kind.in_(STATUS_EVENTS)).order_by(TicketEvent.id)
    ):
        events[row[0]].append(tuple(row[1:]))
    messages: dict[int, list] = defaultdict(list)
    for row in db.session.execute(
        select(Message.ticket_id, Message.kind, Message.author_id, Message.is_automated, Message.created_at)
        .where(Message.ticket_id.in_(ids), Message.kind == "outbound").order_by(Message.created_at, Message.id)
    ):
        messages[row[0]].append(tuple(row[1:]))
    outcomes: dict[int, list] = defaultdict(list)
    for row in db.session.execute(
        select(SlaOutcome.ticket_id, SlaOutcome.target, SlaOutcome.stopped_at, SlaOutcome.due_at, SlaOutcome.met)
        .where(SlaOutcome.ticket_id.in_(ids))
        .order_by(SlaOutcome.counted_on, func.coalesce(SlaOutcome.stopped_at, SlaOutcome.due_at), SlaOutcome.id)
    ):
        outcomes[row[0]].append(tuple(row[1:]))
    facts: list[dict] = []
    for ticket in tickets:
        calendar = calendars.get(ticket.sla_policy_id) if ticket.sla_policy_id is not None else None
        facts.extend(facts_of(ticket, events[ticket.id], messages[ticket.id], outcomes[ticket.id], calendar))
    return facts


DIMENSIONS = ("day", "agent_id", "group_id", "channel", "priority")
# Each rollup column: the fact kind it sums, the fact column it adds (None: counts 1) and, for SLA
# facts, the outcome it counts. The SQL rebuild and the incremental refresh both read this table.
ROLLUP_SPEC = {
    "assigned": ("assigned", None, None), "replied": ("replied", None, None), "replies": ("replied", "n", None),
    "first_responses": ("first_response", None, None), "first_response_seconds": ("first_response", "seconds", None),
    "first_response_business_seconds": ("first_response", "business_seconds", None),
    "solved": ("solved", None, None), "resolution_seconds": ("solved", "seconds", None),
    "resolution_business_seconds": ("solved", "business_seconds", None), "reopened": ("reopened", None, None),
    "sla_first_response_met": ("sla_first_response", None, True),
    "sla_first_response_missed": ("sla_first_response", None, False),
    "sla_resolution_met": ("sla_resolution", None, True), "sla_resolution_missed": ("sla_resolution", None, False),
}
ROLLUP_COLUMNS = DIMENSIONS + tuple(ROLLUP_SPEC)


def _rollup_select():
    """SELECT of every rollup row, from the facts (GROUP BY the dimensions)."""
    f = ReportFact
    columns = []
    for kind, value, met in ROLLUP_SPEC.values():
        condition = f.kind == kind if met is None else and_(f.kind == kind, f.met.is_(met))
        amount = getattr(f, value) if value else 1
        columns.append(func.coalesce(func.sum(case((condition, amount), else_=0)), 0))
    dims = [getattr(f, d) for d in DIMENSIONS]
    return select(*dims, *columns).group_by(*dims)


def _contributions(facts: Iterable[dict], sign: int, into: dict) -> None:
    """Add (sign +1) or take away (-1) what `facts` count in the rollups, per rollup key."""
    for fact in facts:
        key = tuple(fact[d] for d in DIMENSIONS)
        for column, (kind, value, met) in ROLLUP_SPEC.items():
            if fact["kind"] == kind and (met is None or fact["met"] is met):
                row = into.setdefault(key, dict.fromkeys(ROLLUP_SPEC, 0))
                row[column] += sign * ((fact[value] or 0) if value else 1)


def month_of(day):
    """The first day of `day`'s month: the key of its monthly rollup."""
    return day.replace(day=1)


def _apply(deltas: dict) -> None:
    """Add each key's deltas to its daily and its monthly rollup row (a new row where there is
    none). Sums are what counts: two rows of one key (two writers inserting at once) still add up."""
    for key, delta in deltas.items():
        if not any(delta.values()):
            continue
        for model, period, value in ((ReportDaily, "day", key[0]), (ReportMonthly, "month", month_of(key[0]))):
            dims = dict(zip(DIMENSIONS, key, strict=True)) | {"day": None}
            where = [getattr(model, period) == value] + [
                getattr(model, d) == v if v is not None else getattr(model, d).is_(None)
                for d, v in dims.items() if d != "day"]
            row_id = db.session.scalar(select(model.id).where(*where).limit(1))
            if row_id is not None:
                changes = {c: getattr(model, c) + v for c, v in delta.items() if v}
                db.session.execute(update(model).where(model.id == row_id).values(changes))
            else:
                values = {d: v for d, v in dims.items() if d != "day"} | {period: value} | delta
                db.session.execute(insert(model).values(values))


def _lock_ticket(ticket_id: int) -> None:
    # Two refreshes of one ticket must not both take away its old facts (PostgreSQL; SQLite already
    # serialises writers from BEGIN IMMEDIATE).
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:space, :key)"), {"space": LOCK_SPACE, "key": ticket_id})


def _month_expression(column):
    if db.session.get_bind().dialect.name == "postgresql":
        return func.cast(func.date_trunc("month", column), Date)
    return func.date(column, "start of month")


def roll_up_all() -> None:
    """Inside the caller's transaction: rewrite every daily rollup row from the facts, and every
    monthly one from the daily rows."""
    db.session.execute(delete(ReportDaily))
    db.session.execute(insert(ReportDaily).from_select(list(ROLLUP_COLUMNS), _rollup_select()))
    db.session.execute(delete(ReportMonthly))
    month = _month_expression(ReportDaily.day)
    dims = [month, *(getattr(ReportDaily, d) for d in DIMENSIONS[1:])]
    db.session.execute(insert(ReportMonthly).from_select(
        ["month", *DIMENSIONS[1:], *ROLLUP_SPEC],
        select(*dims, *(func.sum(getattr(ReportDaily, c)) for c in ROLLUP_SPEC)).group_by(*dims)))


@retry_when_busy
def refresh(ticket_ids: Iterable[int]) -> int:
    """Replace the facts of `ticket_ids` and move the rollups by the difference; commits.
    Returns how many facts the tickets now have. Running it twice changes nothing."""
    ids = sorted(set(ticket_ids))
    if not ids:
        return 0
    calendars = _calendars()
    begin_write()
    for ticket_id in ids:
        _lock_ticket(ticket_id)
    columns = [getattr(ReportFact, c) for c in ("kind", "met", "n", "seconds", "business_seconds", *DIMENSIONS)]
    old = [row._asdict() for row in db.session.execute(select(*columns).where(ReportFact.ticket_id.in_(ids)))]
    db.session.execute(delete(ReportFact).where(ReportFact.ticket_id.in_(ids)))
    facts = _compute(ids, calendars)
    if facts:
        db.session.execute(insert(ReportFact), facts)
    deltas: dict = {}
    _contributions(old, -1, deltas)
    _contributions(facts, +1, deltas)
    _apply(deltas)
    db.session.commit()
    return len(facts)


def rebuild(progress=None) -> int:
    """Recompute every fact and every rollup from the stored history, a batch of tickets per
    transaction; `progress(done, total)` is called after each batch. Returns the number of facts."""
    calendars = _calendars()
    ids = list(db.session.scalars(select(Ticket.id).order_by(Ticket.id)))
    db.session.execute(delete(ReportFact))
    db.session.commit()
    count = 0
    for start in range(0, len(ids), BATCH):
        facts = _compute(ids[start:start + BATCH], calendars)
        if facts:
            db.session.execute(insert(ReportFact), facts)
        db.session.commit()
        count += len(facts)
        if progress is not None:
            progress(min(start + BATCH, len(ids)), len(ids))
    roll_up_all()
    db.session.commit()
    return count
