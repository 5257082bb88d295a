"""The supervisor dashboard's figures, each from one query that reads an index.

- open tickets by SLA state, per group, agent, priority and channel: one pass over the covering
  index ix_tickets_sla_board (state, group, assignee, priority, channel), grouped in its order;
- at risk (in warning), soonest due first: ix_tickets_sla_state_due;
- breaches today and per day: ix_sla_crossings_kind_fired;
- compliance (services.sla.compliance: met ÷ (met + missed), a breached target missed from the
  moment it breached) today, 7 and 30 days and per day: ix_sla_outcomes_counted, grouped in its order.

Days are UTC days.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import Group, SlaCrossing, Ticket, User
from helpdesk.models.base import utcnow
from helpdesk.models.tickets import PRIORITY_NAMES
from helpdesk.services.sla import compliance as sla_compliance

STATES = ("ok", "warning", "breached", "paused", "none")
AT_RISK_LIMIT = 25
SERIES_DAYS = 30


@dataclass
class Breakdown:
    """Open tickets by SLA state for each value of one dimension (a group, an agent, ...)."""

    rows: dict[object, Counter] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, key: object, state: str, count: int) -> None:
        self.rows[key][state] += count

    def sorted(self, names: dict | None = None) -> list[tuple[str, Counter]]:
        """(label, counts) pairs, labelled with `names` (ids to names), most tickets first."""
        labelled = [((names or {}).get(key, key) if key is not None else "—", counts) for key, counts in self.rows.items()]
        return sorted(labelled, key=lambda row: (-sum(row[1].values()), str(row[0])))


@dataclass
class Board:
    """Everything the dashboard shows at one refresh."""

    now: datetime
    states: Counter
    by_group: list
    by_agent: list
    by_priority: list
    by_channel: list
    at_risk: list[Ticket]
    breaches_today: int
    compliance: dict[str, float | None]
    agents_online: list[tuple[User, int]]


def _open_counts() -> list[tuple]:
    # sla_state is set exactly on open tickets ("none" when no clock runs), so this reads the
    # covering index in its own order and groups as it goes: no sort, no table access.
    columns = (Ticket.sla_state, Ticket.group_id, Ticket.assignee_id, Ticket.priority, Ticket.channel)
    query = select(*columns, func.count()).where(Ticket.sla_state.is_not(None)).group_by(*columns)
    return list(db.session.execute(query))


def at_risk(limit: int = AT_RISK_LIMIT) -> list[Ticket]:
    """Open tickets in warning, the least time left first."""
    query = select(Ticket).where(Ticket.sla_state == "warning").order_by(Ticket.sla_due_at, Ticket.id)
    return list(db.session.scalars(query.limit(limit)))


def breaches_since(since: datetime) -> int:
    """Breaches acted on since `since`."""
    query = select(func.count()).select_from(SlaCrossing).where(SlaCrossing.kind == "breached",
                                                                 SlaCrossing.fired_at >= since)
    return db.session.scalar(query)


def breaches_by_day(first: date) -> dict[date, int]:
    """Breaches acted on per UTC day from `first` on."""
    day = func.date(SlaCrossing.fired_at)
    query = (select(day, func.count()).where(SlaCrossing.kind == "breached",
                                             SlaCrossing.fired_at >= datetime.combine(first, time(0)))
             .group_by(day))
    return {date.fromisoformat(str(d)[:10]): count for d, count in db.session.execute(query)}


def compliance(per_day: dict[date, tuple[int, int]], today: date) -> dict[str, float | None]:
    """Compliance today, the last 7 and 30 days (None: no target decided), from (met, missed) per day."""
    figures = {}
    for label, days in (("today", 1), ("7d", 7), ("30d", 30)):
        sums = [per_day.get(today - timedelta(days=n), (0, 0)) for n in range(days)]
        figures[label] = sla_compliance.percent(sum(m for m, _ in sums), sum(x for _, x in sums))
    return figures


def series(now: datetime | None = None, days: int = SERIES_DAYS) -> dict:
    """The chart: per day, breaches and compliance (percent, None when no target was decided)."""
    today = (now or utcnow()).date()
    first = today - timedelta(days=days - 1)
    outcomes, breaches = sla_compliance.by_day(first), breaches_by_day(first)
    labels = [first + timedelta(days=n) for n in range(days)]
    return {"days": [d.isoformat() for d in labels], "breaches": [breaches.get(d, 0) for d in labels],
            "compliance": [sla_compliance.percent(*outcomes.get(d, (0, 0))) for d in labels]}


def _online(online_ids: Iterable[int], load: Counter) -> list[tuple[User, int]]:
    ids = set(online_ids)
    users = db.session.scalars(select(User).where(User.id.in_(ids), User.active)) if ids else []
    return sorted(((u, load.get(u.id, 0)) for u in users), key=lambda pair: (-pair[1], pair[0].name))


def board(online_ids: Iterable[int] = (), now: datetime | None = None) -> Board:
    """The dashboard at `now` for the staff members `online_ids` connected to the console."""
    now = now or utcnow()
    states: Counter = Counter()
    groups, agents, priorities, channels = Breakdown(), Breakdown(), Breakdown(), Breakdown()
    load: Counter = Counter()
    for state, group_id, assignee_id, priority, channel, count in _open_counts():
        states[state] += count
        groups.add(group_id, state, count)
        agents.add(assignee_id, state, count)
        priorities.add(PRIORITY_NAMES.get(priority, priority), state, count)
        channels.add(channel, state, count)
        if assignee_id is not None:
            load[assignee_id] += count
    group_names = dict(db.session.execute(select(Group.id, Group.name)).all())
    agent_ids = [key for key in agents.rows if key is not None]
    agent_names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(agent_ids))).all()) if agent_ids else {}
    today = now.date()
    return Board(
        now=now, states=states, by_group=groups.sorted(group_names), by_agent=agents.sorted(agent_names),
        by_priority=priorities.sorted(), by_channel=channels.sorted(), at_risk=at_risk(),
        breaches_today=breaches_since(datetime.combine(today, time(0))),
        compliance=compliance(sla_compliance.by_day(today - timedelta(days=29)), today),
        agents_online=_online(online_ids, load),
    )
