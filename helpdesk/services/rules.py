"""Priority and routing rules: decide a new ticket's priority and group.

Since the triggers came, a rule is a `ticket.created` trigger (models.automation.PriorityRule,
stored in the triggers table) and triage runs every `ticket.created` trigger's priority and group
actions at intake; this module keeps the rules' own vocabulary for /admin/rules and its callers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Group, PriorityRule
from helpdesk.models.customers import TIERS
from helpdesk.models.tickets import PRIORITIES
from helpdesk.services import settings_cache
from helpdesk.services.automation import context, triggers

CONDITION_KEYS = ("channel", "tier", "keywords", "group", "sender_priority")
# What a sender can say about their own message's urgency (InboundMessage.priority_hint).
SENDER_PRIORITIES = ("high",)


class RuleError(ValueError):
    """A rule definition that cannot be saved; the message names the field."""


@dataclass(frozen=True)
class Triage:
    """The outcome of the rules for one new ticket."""

    priority: int
    group_id: int | None
    rule_ids: tuple[int, ...] = ()
    # The matched triggers with more to do than priority and group: they act after commit.
    followups: tuple[int, ...] = ()


def validate_conditions(conditions: dict) -> dict:
    """Check a rule's conditions; return them normalised (lower-case keywords, lists)."""
    unknown = set(conditions) - set(CONDITION_KEYS)
    if unknown:
        raise RuleError(_("conditions: unknown key(s) %(sorted)s", sorted=sorted(unknown)))
    clean: dict = {}
    for key in ("channel", "tier", "group", "sender_priority"):
        value = conditions.get(key)
        if value in (None, "", []):
            continue
        values = [value] if isinstance(value, str | int) else list(value)
        if key == "tier" and not set(values) <= set(TIERS):
            raise RuleError(_("conditions.tier: must be among %(list)s", list=list(TIERS)))
        if key == "sender_priority" and not set(values) <= set(SENDER_PRIORITIES):
            raise RuleError(_("conditions.sender_priority: must be among %(list)s", list=list(SENDER_PRIORITIES)))
        clean[key] = values
    keywords = conditions.get("keywords")
    if keywords:
        words = [keywords] if isinstance(keywords, str) else list(keywords)
        clean["keywords"] = [w.strip().lower() for w in words if str(w).strip()]
    return clean


@dataclass(frozen=True)
class GroupRef:
    """A group as routing sees it."""

    id: int
    name: str


@dataclass(frozen=True)
class Routing:
    """What routing reads for every new ticket: the active rules in order and the groups."""

    rules: tuple[triggers.Compiled, ...]  # the ticket.created triggers, rules among them
    default_group: GroupRef | None
    groups: dict[str, GroupRef]

    def starting_group(self, hint: str | None) -> GroupRef | None:
        """The group named `hint` when there is one, else the default group."""
        return self.groups.get(hint or "") or self.default_group


def _load_routing() -> Routing:
    groups = db.session.execute(select(Group.id, Group.name, Group.is_default).order_by(Group.id)).all()
    default = next((GroupRef(g.id, g.name) for g in groups if g.is_default), None)
    return Routing(rules=triggers.compiled("ticket.created"), default_group=default,
                   groups={g.name: GroupRef(g.id, g.name) for g in groups})


def routing() -> Routing:
    """The routing settings, cached per settings revision (see services.settings_cache)."""
    return settings_cache.cached("routing", _load_routing)


def triage(*, channel: str, tier: str, group_hint: str | None, subject: str, body: str,
           sender_priority: str | None = None, language: str | None = None,
           organization_id: int | None = None, customer_id: int | None = None) -> Triage:
    """Apply the active `ticket.created` triggers in order to a new ticket that starts in the group
    named `group_hint` (else the default group): their conditions against what is known before
    it is stored, their priority and group actions here (the rest after commit, see
    automation.runner). VIP customers, and messages their sender marked urgent (`sender_priority`
    "high"), start at high priority; a trigger's priority is the last word (it may lower it on
    purpose, the sender's mark never lowers a trigger's)."""
    settings = routing()
    group = settings.starting_group(group_hint)
    marked = tier == "vip" or sender_priority == "high"
    priority = PRIORITIES["high"] if marked else PRIORITIES["normal"]
    group_id = group.id if group else None
    ctx = context.at_intake(channel=channel, tier=tier, group_id=group_id, group_name=group.name if group else None,
                            subject=subject, body=body, sender_priority=sender_priority, language=language,
                            organization_id=organization_id)
    context.add_customer(ctx, customer_id, triggers.needs(settings.rules))
    known = {g.id for g in settings.groups.values()}
    matched = triggers.evaluate(settings.rules, ctx)
    for trigger in matched:
        for action in trigger.actions:
            if action["type"] != "set":
                continue
            if action["field"] == "priority":
                priority = PRIORITIES[action["value"]]
            elif action["field"] == "group_id" and action["value"] in known:
                group_id = action["value"]
    followups = tuple(t.id for t in matched
                      if any(not (a["type"] == "set" and a["field"] in ("priority", "group_id")) for a in t.actions))
    return Triage(priority=priority, group_id=group_id, rule_ids=tuple(t.id for t in matched), followups=followups)


def save_rule(rule: PriorityRule | None, *, name: str, conditions: dict, set_priority: str | None,
              set_group_id: int | None, position: int, active: bool = True, stop: bool = True) -> PriorityRule:
    """Create (`rule` None) or change a rule after validating every field; commits and returns it."""
    name = " ".join((name or "").split())
    if not 1 <= len(name) <= 200:
        raise RuleError(_("name: must be 1 to 200 characters"))
    if set_priority not in (None, "") and set_priority not in PRIORITIES:
        raise RuleError(_("set_priority: must be one of %(list)s", list=list(PRIORITIES)))
    if set_group_id is not None and db.session.get(Group, set_group_id) is None:
        raise RuleError(_("set_group_id: no group %(set_group_id)s", set_group_id=set_group_id))
    clean = validate_conditions(conditions)
    if not set_priority and set_group_id is None:
        raise RuleError(_("action: a rule must set a priority, a group or both"))
    rule = rule or PriorityRule()
    rule.name, rule.conditions, rule.position, rule.active, rule.stop = name, clean, position, active, stop
    rule.set_priority = PRIORITIES[set_priority] if set_priority else None
    rule.set_group_id = set_group_id
    db.session.add(rule)
    db.session.commit()
    return rule


def ordered_rules() -> list[PriorityRule]:
    """Every rule (the triggers that were or are edited as rules), in the order they are tried."""
    return list(db.session.scalars(select(PriorityRule).order_by(PriorityRule.position, PriorityRule.id)))
