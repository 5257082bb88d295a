"""A ticket's timeline in words: who did what, with people, groups and values by name (never
`assignee_id None → 3`), and the other ticket of a merge, split or link as a number to follow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.i18n import labels, ngettext, stored
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.models import Group, TicketEvent, User
from helpdesk.services.routing import reasons

# In the reader's language: the timeline is described when a page shows it.
FIELD_NAMES = {"status": _l("status"), "priority": _l("priority"), "group_id": _l("group"), "assignee_id": _l("assignee"),
               "tags": _l("tags"), "subject": _l("subject"), "merged_into": _l("merged into"),
               "merged_from": _l("merged from")}
ABOUT_TICKET = {"merged_into": _l("merged this ticket into"), "merged_from": _l("merged into this ticket"),
                "split_into": _l("split messages off into"), "split_from": _l("split this ticket off from"),
                "linked": _l("linked this ticket to"), "unlinked": _l("unlinked this ticket from")}
NOBODY = {"group_id": _l("no group"), "assignee_id": _l("nobody")}
VALUE_NAMES = {"status": labels.status_name, "priority": labels.priority_name}


@dataclass(frozen=True)
class Entry:
    """One line: when, who (None: the system), what, and the other ticket it concerns if any."""

    at: datetime
    actor: str | None
    text: str
    ticket_id: int | None = None


def _names(events: list[TicketEvent]) -> tuple[dict[int, str], dict[int, str]]:
    """The names of every user and group the events mention, in two queries."""
    users, groups = set(), set()
    for event in events:
        users.add(event.actor_id)
        for field, change in (event.data or {}).items() if event.kind == "changed" else ():
            if field in ("assignee_id", "group_id") and isinstance(change, list):
                (users if field == "assignee_id" else groups).update(change)
    users.discard(None)
    groups.discard(None)
    user_names = {row.id: row.name for row in db.session.execute(select(User.id, User.name).where(User.id.in_(users)))}
    group_names = {row.id: row.name for row in db.session.execute(select(Group.id, Group.name)
                                                                      .where(Group.id.in_(groups)))}
    return user_names, group_names


def _value(field: str, value, users: dict, groups: dict) -> str:
    if value is None or value == []:
        return str(NOBODY.get(field, _("none")))
    if field == "assignee_id":
        return users.get(value, _("a former staff member"))
    if field == "group_id":
        return groups.get(value, _("a deleted group"))
    if field in VALUE_NAMES:
        return VALUE_NAMES[field](value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value).replace("_", " ")


def _changed(data: dict, users: dict, groups: dict) -> str:
    parts = []
    for field, change in data.items():
        if not (isinstance(change, list) and len(change) == 2):
            continue
        old, new = change
        name = FIELD_NAMES.get(field, field.removeprefix("custom.").replace("_", " "))
        if field == "tags":
            added, removed = sorted(set(new or []) - set(old or [])), sorted(set(old or []) - set(new or []))
            words = ([ngettext("added tag %(tags)s", "added tags %(tags)s", len(added), tags=", ".join(added))]
                     if added else []) + \
                    ([ngettext("removed tag %(tags)s", "removed tags %(tags)s", len(removed), tags=", ".join(removed))]
                     if removed else [])
            parts.append(_(" and ").join(words) or _("changed the tags"))
        elif field == "assignee_id" and new is not None and old is None:
            parts.append(_("assigned it to %(name)s", name=_value(field, new, users, groups)))
        elif field == "assignee_id" and new is None:
            parts.append(_("unassigned %(name)s", name=_value(field, old, users, groups)))
        else:
            parts.append(_("changed %(field)s from %(old)s to %(new)s", field=name,
                           old=_value(field, old, users, groups), new=_value(field, new, users, groups)))
    return "; ".join(parts) or _("changed the ticket")


# Stored codes of the lines below, as the reader reads them (older rows may hold the English words).
CUSTOMER_ACTIONS = {"closed": _l("the customer closed the request in the portal"),
                    "reopened": _l("the customer reopened the request in the portal")}
FOLLOW_UPS = {"reopened": _l("a low survey score reopened the ticket")}
AUTOMATION_WHY = {"time": _l("its time conditions held"), "its time conditions held": _l("its time conditions held")}


def _created(data: dict) -> str:
    rules = data.get("rules") or []
    why = ngettext("; %(num)d rule set its priority or group", "; %(num)d rules set its priority or group",
                   len(rules)) if rules else ""
    urgent = _("; the sender marked it %(priority)s", priority=labels.priority_name(data["sender_priority"])) \
        if data.get("sender_priority") else ""
    return _("ticket opened via %(channel)s", channel=labels.channel_name(data.get("channel"))) + why + urgent


def _sla(data: dict) -> str:
    target = labels.target_name(data.get("target"))
    if data.get("crossing") == "breached":
        return _("the %(target)s target breached its SLA", target=target)
    return _("the %(target)s target is close to breaching its SLA", target=target)


def _automation(data: dict) -> str:
    why = data.get("why")
    return _("the automation “%(name)s” fired (%(why)s)", name=data.get("name"),
             why=AUTOMATION_WHY.get(why, why) if why else _("its conditions held"))


# kind -> the line of an event that concerns no other ticket and is no field change.
LINES = {
    "created": _created,
    "sla": _sla,
    "survey_answered": lambda data: _("the customer answered the %(kind)s survey: %(score)s",
                                      kind=str(data.get("kind", "")).upper(), score=data.get("score")),
    "survey_follow_up": lambda data: str(FOLLOW_UPS.get(data.get("action"), _l("a low survey score followed up the ticket"))),
    "visitor_verified": lambda data: _("the chat visitor confirmed the e-mail address %(email)s",
                                       email=data.get("email", "")),
    "customer_action": lambda data: str(CUSTOMER_ACTIONS.get(data.get("action"),
                                                             _l("the customer changed the request in the portal"))),
    "routing": reasons.describe,
    "trigger": lambda data: _("the trigger “%(name)s” fired (%(event)s)", name=data.get("name"),
                              event=labels.event_name(data.get("event"))),
    "trigger_failed": lambda data: _("the trigger “%(name)s” could not act: %(error)s", name=data.get("name"),
                                     error=stored.say(data.get("error"))),
    "automation": _automation,
    "macro_applied": lambda data: _("applied the macro “%(name)s”", name=data.get("name")),
    "message_edited": lambda data: _("the customer edited a message"),
}


def _describe(event: TicketEvent, users: dict, groups: dict) -> tuple[str, int | None]:
    data = event.data or {}
    if event.kind == "changed":
        return _changed(data, users, groups), None
    if event.kind in ABOUT_TICKET:
        other = data.get("ticket") or data.get("target") or data.get("source")
        return str(ABOUT_TICKET[event.kind]), other
    if event.kind in LINES:
        return LINES[event.kind](data), None
    return event.kind.replace("_", " "), None


def describe(events: list[TicketEvent]) -> list[Entry]:
    """The timeline `events` as readable entries, in their order."""
    users, groups = _names(events)
    entries = []
    for event in events:
        text, other = _describe(event, users, groups)
        actor = users.get(event.actor_id, _("a former staff member")) if event.actor_id else None
        entries.append(Entry(at=event.created_at, actor=actor, text=text, ticket_id=other))
    return entries
