"""Triggers (actions on domain events), the priority and routing rules that became triggers, and
the record of each firing (at most one per trigger, ticket and event)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import db
from helpdesk.models.base import utcnow

EVENTS = ("ticket.created", "ticket.updated", "customer.replied", "agent.replied", "sla.warning", "sla.breached",
          "survey.answered")


class Trigger(db.Model):
    """When `event` happens to a ticket and the conditions hold (every one of `match_all` and, if
    any are given, at least one of `match_any`), apply `actions` in order. Triggers run in
    `position` order; `stop` ends the run for that event after this one fires. `origin` is "rule"
    for a former priority/routing rule (still edited at /admin/rules, see PriorityRule)."""

    __tablename__ = "triggers"
    __table_args__ = (Index("ix_triggers_event_position", "event", "position", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    origin: Mapped[str] = mapped_column(String(16), default="trigger")
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    event: Mapped[str] = mapped_column(String(32), default="ticket.created")
    match_all: Mapped[list] = mapped_column(JSON, default=list)
    match_any: Mapped[list] = mapped_column(JSON, default=list)
    actions: Mapped[list] = mapped_column(JSON, default=list)
    stop: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"polymorphic_on": "origin", "polymorphic_identity": "trigger"}


# The conditions of a priority/routing rule, as trigger conditions: (rule key, trigger field).
RULE_FIELDS = (("channel", "channel"), ("tier", "customer.tier"), ("keywords", "text"), ("group", "group"),
               ("sender_priority", "sender_priority"))


class PriorityRule(Trigger):
    """A priority/routing rule: a trigger on `ticket.created` that sets priority and/or group at
    intake. The rule's own vocabulary (`conditions` dict, `set_priority` rank, `set_group_id`)
    reads and writes the trigger's conditions and actions, so the rules page, its tests and any
    code that made rules keep working over the triggers table."""

    __mapper_args__ = {"polymorphic_identity": "rule"}

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("event", "ticket.created")
        kwargs.setdefault("stop", True)
        super().__init__(**kwargs)

    @property
    def conditions(self) -> dict:
        fields = dict((field, key) for key, field in RULE_FIELDS)
        return {fields[c["field"]]: list(c["value"]) for c in (self.match_all or []) if c.get("field") in fields}

    @conditions.setter
    def conditions(self, value: dict) -> None:
        ops = {"keywords": "contains"}
        self.match_all = [{"field": field, "op": ops.get(key, "in"), "value": list(value[key])}
                          for key, field in RULE_FIELDS if value.get(key)]

    def _action(self, field: str):
        return next((a.get("value") for a in (self.actions or []) if a.get("type") == "set" and a.get("field") == field), None)

    def _set_action(self, field: str, value) -> None:
        kept = [a for a in (self.actions or []) if not (a.get("type") == "set" and a.get("field") == field)]
        if value is not None:
            kept.append({"type": "set", "field": field, "value": value})
        kept.sort(key=lambda a: (a.get("type") != "set", a.get("field") != "priority"))
        self.actions = kept

    @property
    def set_priority(self) -> int | None:
        from helpdesk.models.tickets import PRIORITIES

        name = self._action("priority")
        return PRIORITIES.get(name) if name is not None else None

    @set_priority.setter
    def set_priority(self, rank: int | None) -> None:
        from helpdesk.models.tickets import PRIORITY_NAMES

        self._set_action("priority", PRIORITY_NAMES[rank] if rank is not None else None)

    @property
    def set_group_id(self) -> int | None:
        return self._action("group_id")

    @set_group_id.setter
    def set_group_id(self, group_id: int | None) -> None:
        self._set_action("group_id", group_id)

    @staticmethod
    def audit_view(columns: dict) -> dict:
        """The rule as the audit log shows it: the rule's own fields, not the trigger's lists."""
        rule = PriorityRule(match_all=columns.get("match_all") or [], actions=columns.get("actions") or [])
        shown = {k: v for k, v in columns.items() if k not in ("match_all", "match_any", "actions", "event", "origin")}
        return shown | {"conditions": rule.conditions, "set_priority": rule.set_priority,
                        "set_group_id": rule.set_group_id}


class TriggerFiring(db.Model):
    """A trigger fired on a ticket for one event (`event_key`: the event's own id, e.g.
    `message:42`); unique, so a re-delivered event or a trigger's own change never fires it twice."""

    __tablename__ = "trigger_firings"
    __table_args__ = (UniqueConstraint("trigger_id", "ticket_id", "event_key", name="uq_trigger_firings"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trigger_id: Mapped[int] = mapped_column(ForeignKey("triggers.id", ondelete="CASCADE"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    event_key: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Automation(db.Model):
    """A time-based rule: every few minutes, each open or solved ticket whose conditions hold
    (they may ask hours since created, updated, pending, solved or the customer's last message)
    gets `actions`, once per crossing (see AutomationFiring)."""

    __tablename__ = "automations"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    match_all: Mapped[list] = mapped_column(JSON, default=list)
    match_any: Mapped[list] = mapped_column(JSON, default=list)
    actions: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AutomationFiring(db.Model):
    """An automation acted on a ticket for one crossing: `crossing` names the moments its hours
    conditions count from (e.g. when the ticket became pending), so it acts again only after the
    ticket crosses anew (pending again later), never twice for the same crossing."""

    __tablename__ = "automation_firings"
    __table_args__ = (UniqueConstraint("automation_id", "ticket_id", "crossing", name="uq_automation_firings"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    automation_id: Mapped[int] = mapped_column(ForeignKey("automations.id", ondelete="CASCADE"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    crossing: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
