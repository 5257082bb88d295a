"""What admins set for routing: each group's strategy, default capacities and offer timeout, and
each agent's own capacities and skills. Changes are audited (the models are watched by
services.audit) and a group switched on starts serving its queue (`routing.settings` event)."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import AgentCapacity, AgentSkill, GroupRouting
from helpdesk.models.base import utcnow
from helpdesk.models.routing import KINDS, SKILL_KINDS, STRATEGIES
from helpdesk.services import events

LIMITS = {"chat": 20, "messaging": 50, "ticket": 500}


class RoutingSettingsError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _number(field: str, value, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise RoutingSettingsError(field, _("must be a whole number")) from None
    if not low <= number <= high:
        raise RoutingSettingsError(field, _("must be from %(low)s to %(high)s", low=low, high=high))
    return number


def save_group(group_id: int, *, strategy: str, chat_capacity, messaging_capacity, ticket_capacity,
               offer_timeout) -> GroupRouting:
    """Store the group's routing settings; commits and publishes `routing.settings`."""
    if strategy not in STRATEGIES:
        raise RoutingSettingsError("strategy", _("must be one of %(value)s", value=', '.join(STRATEGIES)))
    values = {"chat_capacity": _number("chat_capacity", chat_capacity, 0, LIMITS["chat"]),
              "messaging_capacity": _number("messaging_capacity", messaging_capacity, 0, LIMITS["messaging"]),
              "ticket_capacity": _number("ticket_capacity", ticket_capacity, 0, LIMITS["ticket"]),
              "offer_timeout": _number("offer_timeout", offer_timeout, 5, 600)}
    row = db.session.get(GroupRouting, group_id) or GroupRouting(group_id=group_id)
    row.strategy = strategy
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    db.session.add(row)
    db.session.commit()
    events.publish("routing.settings", {"group_id": group_id, "strategy": strategy})
    return row


def capacities_of(user_id: int) -> dict[str, int]:
    """The agent's own capacities (kinds without one follow the group default)."""
    return capacities_of_many([user_id])[user_id]


def capacities_of_many(user_ids: list[int]) -> dict[int, dict[str, int]]:
    """`capacities_of` for each of `user_ids`, in one query."""
    found: dict[int, dict[str, int]] = {uid: {} for uid in user_ids}
    for row in db.session.scalars(select(AgentCapacity).where(AgentCapacity.user_id.in_(user_ids))):
        found[row.user_id][row.kind] = row.limit
    return found


def skills_of(user_id: int) -> list[AgentSkill]:
    return skills_of_many([user_id])[user_id]


def skills_of_many(user_ids: list[int]) -> dict[int, list[AgentSkill]]:
    """Each of `user_ids`' skills by kind and value, in one query."""
    found: dict[int, list[AgentSkill]] = {uid: [] for uid in user_ids}
    for skill in db.session.scalars(select(AgentSkill).where(AgentSkill.user_id.in_(user_ids))
                                    .order_by(AgentSkill.kind, AgentSkill.value)):
        found[skill.user_id].append(skill)
    return found


def parse_skills(text: str) -> list[tuple[str, str, int]]:
    """Skills written one per line or comma-separated as `kind:value:level` (`language:es:5`,
    `tag:billing:3`, `channel:chat:2`; the level defaults to 3)."""
    found: list[tuple[str, str, int]] = []
    for part in text.replace("\n", ",").split(","):
        part = part.strip()
        if not part:
            continue
        pieces = [p.strip() for p in part.split(":")]
        if len(pieces) not in (2, 3):
            raise RoutingSettingsError("skills", _("'%(value)s' is not kind:value:level", value=part[:40]))
        kind, value = pieces[0].lower(), pieces[1].lower()
        level = _number("skills", pieces[2], 1, 5) if len(pieces) == 3 else 3
        found.append((kind, value, level))
    return found


def save_agent(user_id: int, capacities: dict[str, object], skills: list[tuple[str, str, int]]) -> None:
    """Replace the agent's capacities (a kind with None or '' follows the group default) and skills."""
    limits: dict[str, int] = {}
    for kind, value in capacities.items():
        if kind not in KINDS:
            raise RoutingSettingsError("capacity", _("unknown channel kind %(kind)s", kind=kind))
        if value not in (None, ""):
            limits[kind] = _number(f"{kind}_capacity", value, 0, LIMITS[kind])
    clean: dict[tuple[str, str], int] = {}
    for kind, value, level in skills:
        if kind not in SKILL_KINDS:
            raise RoutingSettingsError("skills", _("kind must be one of %(value)s", value=', '.join(SKILL_KINDS)))
        if not value or len(value) > 64:
            raise RoutingSettingsError("skills", _("a skill's value must be 1 to 64 characters"))
        if kind == "channel" and value not in KINDS:
            raise RoutingSettingsError("skills", _("a channel skill is one of %(value)s", value=', '.join(KINDS)))
        clean[(kind, value)] = _number("skills", level, 1, 5)
    _replace(user_id, limits, clean)


def _replace(user_id: int, limits: dict[str, int], skills: dict[tuple[str, str], int]) -> None:
    # Rows are changed in place where they stay, so the audit log shows what really changed.
    for row in db.session.scalars(select(AgentCapacity).where(AgentCapacity.user_id == user_id)):
        if row.kind in limits:
            row.limit = limits.pop(row.kind)
        else:
            db.session.delete(row)
    db.session.add_all(AgentCapacity(user_id=user_id, kind=k, limit=v) for k, v in limits.items())
    for row in db.session.scalars(select(AgentSkill).where(AgentSkill.user_id == user_id)):
        if (row.kind, row.value) in skills:
            row.level = skills.pop((row.kind, row.value))
        else:
            db.session.delete(row)
    db.session.add_all(AgentSkill(user_id=user_id, kind=k, value=v, level=lvl) for (k, v), lvl in skills.items())
    db.session.commit()
    events.publish("routing.settings", {"user_id": user_id})

