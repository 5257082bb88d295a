"""A ticket's timeline in words: who did what, with people, groups and values by name (never
`assignee_id None → 3`), and the other ticket of a merge, split or link as a number to follow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Group, TicketEvent, User

FIELD_NAMES = {"status": "status", "priority": "priority", "group_id": "group", "assignee_id": "assignee",
               "tags": "tags", "subject": "subject", "merged_into": "merged into", "merged_from": "merged from"}
ABOUT_TICKET = {"merged_into": "merged this ticket into", "merged_from": "merged into this ticket",
                "split_into": "split messages off into", "split_from": "split this ticket off from",
                "linked": "linked this ticket to", "unlinked": "unlinked this ticket from"}
NOBODY = {"group_id": "no group", "assignee_id": "nobody"}


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
        return NOBODY.get(field, "none")
    if field == "assignee_id":
        return users.get(value, "a former staff member")
    if field == "group_id":
        return groups.get(value, "a deleted group")
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
            words = ([f"added tag{'s' * (len(added) > 1)} {', '.join(added)}"] if added else []) + \
                    ([f"removed tag{'s' * (len(removed) > 1)} {', '.join(removed)}"] if removed else [])
            parts.append(" and ".join(words) or "changed the tags")
        elif field == "assignee_id" and new is not None and old is None:
            parts.append(f"assigned it to {_value(field, new, users, groups)}")
        elif field == "assignee_id" and new is None:
            parts.append(f"unassigned {_value(field, old, users, groups)}")
        else:
            parts.append(f"changed {name} from {_value(field, old, users, groups)} to {_value(field, new, users, groups)}")
    return "; ".join(parts) or "changed the ticket"


def _event_name(event: str | None) -> str:
    from helpdesk.services.automation.triggers import EVENT_NAMES

    return EVENT_NAMES.get(event or "", str(event))


def _describe(event: TicketEvent, users: dict, groups: dict) -> tuple[str, int | None]:
    data = event.data or {}
    if event.kind == "changed":
        return _changed(data, users, groups), None
    if event.kind in ABOUT_TICKET:
        other = data.get("ticket") or data.get("target") or data.get("source")
        return ABOUT_TICKET[event.kind], other
    if event.kind == "created":
        channel = str(data.get("channel", "")).replace("_", " ")
        rules = data.get("rules") or []
        why = f"; {len(rules)} rule{'s' * (len(rules) > 1)} set its priority or group" if rules else ""
        urgent = f"; the sender marked it {data['sender_priority']}" if data.get("sender_priority") else ""
        return f"ticket opened via {channel}{why}{urgent}", None
    if event.kind == "sla":
        target = str(data.get("target", "")).replace("_", " ")
        crossing = "breached" if data.get("crossing") == "breached" else "is close to breaching"
        return f"the {target} target {crossing} its SLA", None
    if event.kind == "survey_answered":
        return f"the customer answered the {str(data.get('kind', '')).upper()} survey: {data.get('score')}", None
    if event.kind == "survey_follow_up":
        return f"a low survey score {data.get('action', 'followed up')} the ticket", None
    if event.kind == "visitor_verified":
        return f"the chat visitor confirmed the e-mail address {data.get('email', '')}", None
    if event.kind == "customer_action":
        return f"the customer {data.get('action', 'changed')} the request in the portal", None
    if event.kind == "routing":
        return str(data.get("text", "routing")), None
    if event.kind == "trigger":
        return f"the trigger “{data.get('name')}” fired ({_event_name(data.get('event'))})", None
    if event.kind == "trigger_failed":
        return f"the trigger “{data.get('name')}” could not act: {data.get('error')}", None
    if event.kind == "automation":
        return f"the automation “{data.get('name')}” fired ({data.get('why', 'its conditions held')})", None
    if event.kind == "message_edited":
        return "the customer edited a message", None
    return event.kind.replace("_", " "), None


def describe(events: list[TicketEvent]) -> list[Entry]:
    """The timeline `events` as readable entries, in their order."""
    users, groups = _names(events)
    entries = []
    for event in events:
        text, other = _describe(event, users, groups)
        actor = users.get(event.actor_id, "a former staff member") if event.actor_id else None
        entries.append(Entry(at=event.created_at, actor=actor, text=text, ticket_id=other))
    return entries
