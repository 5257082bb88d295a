"""A ticket's timeline in words: who did what, with people, groups and values by name (never
`assignee_id None → 3`), and the other ticket of a merge, split or link as a number to follow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.i18n import ngettext
from helpdesk.models import Group, TicketEvent, User

# In the reader's language: the timeline is described when a page shows it.
FIELD_NAMES = {"status": _l("status"), "priority": _l("priority"), "group_id": _l("group"), "assignee_id": _l("assignee"),
               "tags": _l("tags"), "subject": _l("subject"), "merged_into": _l("merged into"),
               "merged_from": _l("merged from")}
ABOUT_TICKET = {"merged_into": _l("merged this ticket into"), "merged_from": _l("merged into this ticket"),
                "split_into": _l("split messages off into"), "split_from": _l("split this ticket off from"),
                "linked": _l("linked this ticket to"), "unlinked": _l("unlinked this ticket from")}
NOBODY = {"group_id": _l("no group"), "assignee_id": _l("nobody")}


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


def _event_name(event: str | None) -> str:
    from helpdesk.services.automation.triggers import EVENT_NAMES

    return EVENT_NAMES.get(event or "", str(event))


def _describe(event: TicketEvent, users: dict, groups: dict) -> tuple[str, int | None]:
    data = event.data or {}
    if event.kind == "changed":
        return _changed(data, users, groups), None
    if event.kind in ABOUT_TICKET:
        other = data.get("ticket") or data.get("target") or data.get("source")
        return str(ABOUT_TICKET[event.kind]), other
    if event.kind == "created":
        channel = str(data.get("channel", "")).replace("_", " ")
        rules = data.get("rules") or []
        why = ngettext("; %(num)d rule set its priority or group", "; %(num)d rules set its priority or group",
                       len(rules)) if rules else ""
        urgent = _("; the sender marked it %(priority)s", priority=data["sender_priority"]) \
            if data.get("sender_priority") else ""
        return _("ticket opened via %(channel)s", channel=channel) + why + urgent, None
    if event.kind == "sla":
        target = str(data.get("target", "")).replace("_", " ")
        if data.get("crossing") == "breached":
            return _("the %(target)s target breached its SLA", target=target), None
        return _("the %(target)s target is close to breaching its SLA", target=target), None
    if event.kind == "survey_answered":
        return _("the customer answered the %(kind)s survey: %(score)s", kind=str(data.get("kind", "")).upper(),
                 score=data.get("score")), None
    if event.kind == "survey_follow_up":
        return _("a low survey score %(action)s the ticket", action=data.get("action", "followed up")), None
    if event.kind == "visitor_verified":
        return _("the chat visitor confirmed the e-mail address %(email)s", email=data.get("email", "")), None
    if event.kind == "customer_action":
        return _("the customer %(action)s the request in the portal", action=data.get("action", "changed")), None
    if event.kind == "routing":
        return str(data.get("text", "routing")), None
    if event.kind == "trigger":
        return _("the trigger “%(name)s” fired (%(event)s)", name=data.get("name"),
                 event=_event_name(data.get("event"))), None
    if event.kind == "trigger_failed":
        return _("the trigger “%(name)s” could not act: %(error)s", name=data.get("name"), error=data.get("error")), None
    if event.kind == "automation":
        return _("the automation “%(name)s” fired (%(why)s)", name=data.get("name"),
                 why=data.get("why") or _("its conditions held")), None
    if event.kind == "message_edited":
        return _("the customer edited a message"), None
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
