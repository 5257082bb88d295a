"""Reading what an agent types into the search box: field filters and the words to look for.

`status:open priority:high group:Billing assignee:me channel:email tag:refund customer:lopez
created>2026-11-01 refund 500` is the filters (which become a `TicketFilter`, the creation-date
range included) and the words `refund 500`. A value with spaces is quoted: `group:"Tier 2"`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Group, User
from helpdesk.services.tickets import TicketError, TicketFilter

FIELDS = ("status", "priority", "group", "assignee", "channel", "tag", "customer", "created")
_FIELD = re.compile(rf'(?<!\S)({"|".join(FIELDS)})(:|>=|<=|>|<)("[^"]*"|\S+)', re.IGNORECASE)


@dataclass
class ParsedQuery:
    """The words to look for, the list filter (with the creation-date range), and the customer words."""

    words: str
    filter: TicketFilter
    customer: list[str] = field(default_factory=list)  # words that must be in the customer's name or addresses


def _day(value: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(value), time())
    except ValueError:
        raise TicketError("q", _("created: %(value)s is not a date (YYYY-MM-DD)", value=repr(value))) from None


def _group_id(value: str) -> int:
    if value.isdigit():
        return int(value)
    group_id = db.session.scalar(select(Group.id).where(func.lower(Group.name) == value.lower()))
    if group_id is None:
        raise TicketError("q", _("group: no group named %(value)s", value=repr(value)))
    return group_id


def _assignee(value: str, user: User, f: TicketFilter) -> None:
    lowered = value.lower()
    if lowered == "me":
        f.assignee_id = user.id
    elif lowered in ("none", "nobody", "unassigned"):
        f.unassigned = True
    elif value.isdigit():
        f.assignee_id = int(value)
    else:
        found = db.session.scalar(select(User.id).where(func.lower(User.name) == lowered))
        if found is None:
            raise TicketError("q", _("assignee: no staff member named %(value)s", value=repr(value)))
        f.assignee_id = found


def _created(op: str, value: str, f: TicketFilter) -> None:
    day = _day(value)
    if op in (":", ">=", ">"):
        f.created_from = day + timedelta(days=1) if op == ">" else day
    if op in (":", "<=", "<"):
        f.created_until = day if op == "<" else day + timedelta(days=1)


def parse(user: User, q: str, base: TicketFilter | None = None) -> ParsedQuery:
    """Split `q` into field filters (added to a copy of `base`, else to a filter of every ticket)
    and the remaining words; TicketError("q") for a filter value that names nothing."""
    f = TicketFilter(**{**(base.__dict__ if base else {"view": "all"}), "q": None})
    f.statuses, f.priorities = list(f.statuses), list(f.priorities)
    parsed = ParsedQuery(words="", filter=f)
    for match in _FIELD.finditer(q):
        name, op, value = match.group(1).lower(), match.group(2), match.group(3).strip('"')
        if op != ":" and name != "created":
            raise TicketError("q", _("%(name)s: use %(name)s:value", name=name))
        if name == "status":
            f.statuses += [v.lower() for v in value.split(",") if v]
        elif name == "priority":
            f.priorities += [v.lower() for v in value.split(",") if v]
        elif name == "group":
            f.group_id = _group_id(value)
        elif name == "assignee":
            _assignee(value, user, f)
        elif name == "channel":
            f.channel = value.lower()
        elif name == "tag":
            f.tag = value.lower()
        elif name == "customer":
            parsed.customer.append(value)
        else:
            _created(op, value, f)
    parsed.words = " ".join(_FIELD.sub(" ", q).split())
    return parsed
