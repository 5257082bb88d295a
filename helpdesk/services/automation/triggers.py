"""Triggers: validated and stored in order, compiled per settings revision for every event.

A trigger is `{name, event, match_all, match_any, actions, position, active, stop}` (see
models.automation.Trigger, `conditions` for the condition language, `actions` for actions).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import SlaCalendar, Trigger
from helpdesk.models.automation import EVENTS
from helpdesk.services import settings_cache
from helpdesk.services.automation import actions as trigger_actions
from helpdesk.services.automation import conditions
from helpdesk.services.automation.conditions import ConditionError
from helpdesk.services.sla import config as sla_config

NAME_MAX = 200
EVENT_NAMES = {"ticket.created": "ticket created", "ticket.updated": "ticket updated",
               "customer.replied": "customer replied", "agent.replied": "agent replied",
               "sla.warning": "SLA warning", "sla.breached": "SLA breach", "survey.answered": "survey answered"}


@dataclass(frozen=True)
class Compiled:
    """A trigger ready to evaluate, outside any session."""

    id: int
    name: str
    event: str
    stop: bool
    actions: tuple[dict, ...]
    fields: frozenset[str] = frozenset()  # what its conditions ask
    match_all: tuple[dict, ...] = ()
    match_any: tuple[dict, ...] = ()


class Ordered(tuple):
    """An event's active triggers (Compiled) in order, with every field their conditions ask
    (`needs`) and one function evaluating all their conditions (`check`, generated on first use)."""

    def __new__(cls, items, calendars: dict) -> Ordered:
        ordered = super().__new__(cls, items)
        ordered.calendars = calendars
        ordered.needs = frozenset().union(*(t.fields for t in ordered))
        return ordered

    @cached_property
    def check(self) -> Callable[[dict], list[int]]:
        """The positions of the triggers whose conditions hold for a context, up to the first `stop`."""
        return conditions.compile_all([(t.match_all, t.match_any, t.stop) for t in self], self.calendars)


def needs(found: tuple[Compiled, ...]) -> frozenset[str]:
    """Every field the conditions of `found` ask."""
    return found.needs if isinstance(found, Ordered) else frozenset().union(*(t.fields for t in found))


def calendars() -> dict:
    """{SLA calendar id: sla.BusinessCalendar} for business-hours conditions."""
    return {row.id: sla_config.calendar_of(row) for row in db.session.scalars(select(SlaCalendar))}


def _load() -> dict[str, Ordered]:
    rows = db.session.scalars(select(Trigger).where(Trigger.active).order_by(Trigger.position, Trigger.id)).all()
    found: dict[str, list[Compiled]] = {event: [] for event in EVENTS}
    cals = calendars() if any(c.get("field") == "business_hours" for r in rows for c in (r.match_all or []) + (r.match_any or [])) else {}
    for row in rows:
        if row.event in found:
            match_all, match_any = tuple(row.match_all or ()), tuple(row.match_any or ())
            found[row.event].append(Compiled(row.id, row.name, row.event, row.stop, tuple(row.actions or ()),
                                             frozenset(c["field"] for c in match_all + match_any), match_all, match_any))
    return {event: Ordered(items, cals) for event, items in found.items()}


def compiled(event: str) -> Ordered:
    """The active triggers of `event` in order (cached per settings revision)."""
    return settings_cache.cached("triggers", _load)[event]


def may_have(event: str) -> bool:
    """False only when no active trigger listens to `event` (as last cached; outside the caller's
    session): a subscriber's cheap check before it queues a job that would find nothing to do."""
    known, value = settings_cache.peek("triggers")
    return not known or bool(value[event])


def evaluate(triggers: Ordered, ctx: dict) -> list[Compiled]:
    """The triggers whose conditions hold for `ctx`, in order, up to the first matching `stop`."""
    return [triggers[position] for position in triggers.check(ctx)]


def ordered(event: str | None = None) -> list[Trigger]:
    """Every trigger (of `event` if given), in the order they run."""
    query = select(Trigger).order_by(Trigger.event, Trigger.position, Trigger.id)
    return list(db.session.scalars(query if event is None else query.where(Trigger.event == event)))


def save(row: Trigger | None, data: dict) -> Trigger:
    """Create (`row` None) or change a trigger from `data` (a change may leave fields out);
    commits. ConditionError names the bad input (`name`, `event`, `match_all[0].op`, `actions[1]`...)."""
    row = row or Trigger()
    name = " ".join(str(data.get("name", row.name or "")).split())
    if not 1 <= len(name) <= NAME_MAX:
        raise ConditionError("name", _("must be 1 to %(name_max)s characters", name_max=NAME_MAX))
    event = data.get("event", row.event or "ticket.created")
    if event not in EVENTS:
        raise ConditionError("event", _("must be one of %(list)s", list=list(EVENTS)))
    match_all = conditions.validate(data.get("match_all", row.match_all or []), "match_all")
    match_any = conditions.validate(data.get("match_any", row.match_any or []), "match_any")
    actions = trigger_actions.validate(data.get("actions", row.actions or []))
    if not actions:
        raise ConditionError("actions", _("a trigger needs at least one action"))
    row.name, row.event, row.match_all, row.match_any, row.actions = name, event, match_all, match_any, actions
    row.position = int(data.get("position", row.position or 0) or 0)
    row.active = bool(data.get("active", True if row.active is None else row.active))
    row.stop = bool(data.get("stop", row.stop or False))
    db.session.add(row)
    db.session.commit()
    return row


def delete(row: Trigger) -> None:
    """Remove a trigger (its firings go with it); commits."""
    db.session.delete(row)
    db.session.commit()
