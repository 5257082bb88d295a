"""Ticket visibility, lists with filters and keyset pagination, changes with a timeline, merges."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, exists, false, or_, select, tuple_, union_all, update
from sqlalchemy.orm import selectinload

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import (
    Customer,
    CustomValue,
    Group,
    Identity,
    Message,
    Ticket,
    TicketEvent,
    TicketTag,
    TicketTopic,
    User,
)
from helpdesk.models.base import utcnow
from helpdesk.models.tickets import OPEN_STATUSES, PRIORITIES, STATUSES
from helpdesk.services import events
from helpdesk.services.fields import definitions as field_definitions
from helpdesk.services.fields import values as field_values
from helpdesk.services.fields.definitions import FieldError
from helpdesk.services.sla import clocks as sla_clocks
from helpdesk.services.sla import config as sla_config

VIEWS = ("mine", "unassigned", "open", "pending", "solved", "all")
# The statuses each view shows; None: any.
VIEW_STATUSES = {"mine": OPEN_STATUSES, "unassigned": OPEN_STATUSES, "open": OPEN_STATUSES,
                 "pending": ("pending",), "solved": ("solved",), "all": None}
SORTS = {
    "updated": (Ticket.updated_at, True),
    "created": (Ticket.created_at, True),
    "oldest": (Ticket.created_at, False),
    "priority": (Ticket.priority, True),
}
TAG_MAX = 64
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL


class TicketError(ValueError):
    """A change that cannot be made; `field` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class TicketNotFound(LookupError):
    """No such ticket, or not one this user may see (the two are indistinguishable on purpose)."""


def visible_to(user: User) -> Select:
    """Tickets `user` may see: every ticket for admins and supervisors, their groups' for agents."""
    query = select(Ticket)
    if not user.sees_all_groups:
        query = query.where(Ticket.group_id.in_(user.group_ids or [-1]))
    return query


def can_see(user: User, ticket: Ticket) -> bool:
    """True when `user` may read and act on `ticket`."""
    return user.sees_all_groups or ticket.group_id in user.group_ids


def get_for(user: User, ticket_id: int) -> Ticket:
    """The ticket `ticket_id` if `user` may see it; else TicketNotFound."""
    if not 0 < ticket_id <= MAX_ID:
        raise TicketNotFound(ticket_id)  # PostgreSQL would reject the query outright
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None or not can_see(user, ticket):
        raise TicketNotFound(ticket_id)
    return ticket


@dataclass
class TicketFilter:
    """What a ticket list shows. Empty lists mean "any"."""

    view: str = "open"
    statuses: list[str] = field(default_factory=list)
    priorities: list[str] = field(default_factory=list)
    group_id: int | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    channel: str | None = None
    tag: str | None = None
    customer_id: int | None = None
    topic_id: int | None = None  # tickets of this topic (services.topics)
    without_topic: bool = False
    q: str | None = None
    custom: dict[str, str] = field(default_factory=dict)  # {ticket custom field key: value as stored}
    created_from: datetime | None = None  # inclusive (search's `created>`)
    created_until: datetime | None = None  # exclusive


@dataclass(frozen=True)
class Page:
    items: list[Ticket]
    next_cursor: str | None


def _encode_cursor(value, ticket_id: int) -> str:
    raw = value.isoformat() if isinstance(value, datetime) else value
    return base64.urlsafe_b64encode(json.dumps([raw, ticket_id]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple:
    """Turn a cursor back into (sort value, id); TicketError('cursor') when it was tampered with."""
    try:
        raw, ticket_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        value = datetime.fromisoformat(raw) if sort != "priority" else int(raw)
        return value, int(ticket_id)
    except (ValueError, TypeError, json.JSONDecodeError):
        raise TicketError("cursor", _("is not a cursor this server issued")) from None


def _apply_view(query: Select, user: User, view: str, status: str | None = None) -> Select:
    if view == "mine":
        query = query.where(Ticket.assignee_id == user.id)
    elif view == "unassigned":
        query = query.where(Ticket.assignee_id.is_(None))
    if status is not None:
        return query.where(Ticket.status == status)
    statuses = VIEW_STATUSES[view]
    return query if statuses is None else query.where(Ticket.status.in_(statuses))


def _search(query: Select, q: str) -> Select:
    q = q.strip()
    if q.lstrip("#").isdigit():
        number = int(q.lstrip("#"))
        return query.where(Ticket.id == number if number <= MAX_ID else false())
    pattern = f"%{q.replace('%', '').replace('_', '')}%"
    customer_match = exists().where(
        Customer.id == Ticket.customer_id,
        or_(Customer.name.ilike(pattern),
            exists().where(Identity.customer_id == Customer.id, Identity.address.ilike(pattern))),
    )
    text_match = exists().where(Message.ticket_id == Ticket.id, Message.body_text.ilike(pattern))
    return query.where(or_(Ticket.subject.ilike(pattern), customer_match, text_match))


def filtered(user: User, f: TicketFilter) -> Select:
    """The query for `f` as seen by `user`, without order or limit."""
    return _filtered(user, f)


def _filtered(user: User, f: TicketFilter, group: int | None = None, status: str | None = None) -> Select:
    """`filtered`, or one branch of it: a `group` and `status` given replace the group and status
    conditions by equalities (the caller picks them among those `user` and `f` allow)."""
    if f.view not in VIEWS:
        raise TicketError("view", _("must be one of %(list)s", list=list(VIEWS)))
    if bad := set(f.statuses) - set(STATUSES):
        raise TicketError("status", _("unknown value(s) %(sorted)s", sorted=sorted(bad)))
    if bad := set(f.priorities) - set(PRIORITIES):
        raise TicketError("priority", _("unknown value(s) %(sorted)s", sorted=sorted(bad)))
    query = visible_to(user) if group is None else select(Ticket).where(Ticket.group_id == group)
    query = _apply_view(query, user, f.view, status)
    if f.statuses and status is None:
        query = query.where(Ticket.status.in_(f.statuses))
    if f.priorities:
        query = query.where(Ticket.priority.in_([PRIORITIES[p] for p in f.priorities]))
    if f.group_id is not None and group is None:
        query = query.where(Ticket.group_id == f.group_id)
    if f.unassigned:
        query = query.where(Ticket.assignee_id.is_(None))
    elif f.assignee_id is not None:
        query = query.where(Ticket.assignee_id == f.assignee_id)
    if f.channel:
        query = query.where(Ticket.channel == f.channel)
    if f.customer_id is not None:
        query = query.where(Ticket.customer_id == f.customer_id)
    if f.tag:
        query = query.where(exists().where(TicketTag.ticket_id == Ticket.id, TicketTag.name == f.tag.lower()))
    if f.topic_id is not None or f.without_topic:
        has_topic = exists().where(TicketTopic.ticket_id == Ticket.id)
        query = query.where(~has_topic if f.without_topic else
                            has_topic.where(TicketTopic.topic_id == f.topic_id))
    for key, value in (f.custom or {}).items():
        definition = field_definitions.by_key("ticket", key)
        if definition is None:
            raise TicketError("custom", _("no ticket field %(key)s", key=repr(key)))
        query = query.where(exists().where(CustomValue.field_id == definition.id, CustomValue.object_id == Ticket.id,
                                           CustomValue.value == str(value)))
    if f.created_from is not None:
        query = query.where(Ticket.created_at >= f.created_from)
    if f.created_until is not None:
        query = query.where(Ticket.created_at < f.created_until)
    if f.q:
        query = _search(query, f.q)
    return query


MAX_BRANCHES = 64


def _branches(user: User, f: TicketFilter) -> list[tuple[int | None, str | None]] | None:
    """The (group, status) pairs that split a list sorted by `updated`, or None when splitting
    cannot help.

    `group_id IN (..) AND status IN (..) ORDER BY updated_at DESC` cannot read an index in order:
    the database fetches every matching ticket and sorts them all, so the default list slows down
    as the backlog grows. With one group and one status fixed, ix_tickets_group_status_updated (or
    ix_tickets_group_updated, ix_tickets_status_updated) returns a branch already in order, and
    each branch stops after one page.
    """
    statuses = VIEW_STATUSES[f.view]
    if f.statuses:
        statuses = [s for s in (statuses or STATUSES) if s in f.statuses]
    groups = None if user.sees_all_groups else sorted(set(user.group_ids or [-1]))
    if f.group_id is not None:
        groups = [g for g in (groups or [f.group_id]) if g == f.group_id]
    if statuses == [] or groups == []:
        return None  # nothing can match: the plain query finds that out at once
    branches = [(g, s) for g in (groups or [None]) for s in (statuses or [None])]
    return branches if 1 < len(branches) <= MAX_BRANCHES else None


def page_query(user: User, f: TicketFilter, sort: str, cursor: str | None, limit: int) -> Select:
    """The statement of one page of `list_page` (`limit` + 1 tickets, to tell whether another page
    follows), selecting whole tickets; a caller may narrow it with `with_only_columns`."""
    if sort not in SORTS:
        raise TicketError("sort", _("must be one of %(list)s", list=list(SORTS)))
    column, descending = SORTS[sort]
    after = None
    if cursor:
        value, last_id = decode_cursor(cursor, sort)
        key = tuple_(column, Ticket.id)
        after = key < tuple_(value, last_id) if descending else key > tuple_(value, last_id)

    def build(group: int | None = None, status: str | None = None) -> Select:
        query = _filtered(user, f, group, status)
        return query if after is None else query.where(after)

    order = (column.desc(), Ticket.id.desc()) if descending else (column.asc(), Ticket.id.asc())
    branches = _branches(user, f) if sort == "updated" else None
    if branches:
        # Each branch is the keys of at most a page, read in index order (index-only where the
        # database can); the page is the best keys of all branches, merged, joined to their rows.
        # Keys only: a statement of many full-width subqueries costs more to build than to run.
        keys = union_all(*(select(build(g, s).with_only_columns(column, Ticket.id).order_by(*order)
                                  .limit(limit + 1).subquery()) for g, s in branches)).subquery()
        query = (select(Ticket).join(keys, Ticket.id == keys.c.id)
                 .order_by(keys.c[column.key].desc(), keys.c.id.desc()))
    else:
        query = build().order_by(*order)
    return query.limit(limit + 1)


def next_cursor(rows: list, sort: str, limit: int) -> str | None:
    """The cursor after the page whose `limit` + 1 rows (tickets or rows with their columns) are
    `rows`; None when they were the last."""
    if len(rows) <= limit:
        return None
    last = rows[limit - 1]
    return _encode_cursor(getattr(last, SORTS[sort][0].key), last.id)


def list_page(user: User, f: TicketFilter, *, sort: str = "updated", cursor: str | None = None, limit: int = 50) -> Page:
    """One page of tickets for `user`, newest change first by default, keyset-paginated."""
    query = page_query(user, f, sort, cursor, limit)
    # Every row shows its customer and tags: two queries for the page instead of two per row.
    rows = list(db.session.scalars(query.options(selectinload(Ticket.customer), selectinload(Ticket.tag_rows))))
    return Page(items=rows[:limit], next_cursor=next_cursor(rows, sort, limit))


def _check_group(group_id: int | None) -> None:
    if group_id is not None and db.session.get(Group, group_id) is None:
        raise TicketError("group_id", _("no group %(group_id)s", group_id=group_id))


def check_assignee(assignee_id: int | None, group_id: int | None) -> None:
    """TicketError("assignee_id") unless `assignee_id` is None or an active member of `group_id`
    (staff who see every group may take any ticket)."""
    if assignee_id is None:
        return
    user = db.session.get(User, assignee_id)
    if user is None or not user.active:
        raise TicketError("assignee_id", _("no active user %(assignee_id)s", assignee_id=assignee_id))
    if not user.sees_all_groups and group_id not in user.group_ids:
        raise TicketError("assignee_id", _("%(name)s is not a member of the ticket's group", name=user.name))


def normalise_tags(tags: list[str]) -> list[str]:
    """Lower-case, trimmed, de-duplicated tags; TicketError for empty or over-long ones."""
    clean: list[str] = []
    for tag in tags:
        name = " ".join(str(tag).split()).lower()
        if not name or len(name) > TAG_MAX:
            raise TicketError("tags", _("each tag must be 1 to %(tag_max)s characters", tag_max=TAG_MAX))
        if name not in clean:
            clean.append(name)
    return clean


def update_ticket(ticket: Ticket, actor: User | None, **changes) -> dict:
    """Apply `changes` (status, priority, group_id, assignee_id, tags, subject, custom_fields:
    {key: value}), record each in the timeline, commit and publish `ticket.updated`. Returns
    {field: [old, new]} of what changed (custom fields as `custom.<key>`). Solving or closing
    needs every required-to-solve custom field filled."""
    allowed = {"status", "priority", "group_id", "assignee_id", "tags", "subject", "custom_fields"}
    if unknown := set(changes) - allowed:
        raise TicketError(sorted(unknown)[0], _("cannot be changed"))
    if "status" in changes and changes["status"] not in STATUSES:
        raise TicketError("status", _("must be one of %(list)s", list=list(STATUSES)))
    if "priority" in changes and changes["priority"] not in PRIORITIES:
        raise TicketError("priority", _("must be one of %(list)s", list=list(PRIORITIES)))
    if "subject" in changes and not (1 <= len(str(changes["subject"]).strip()) <= 255):
        raise TicketError("subject", _("must be 1 to 255 characters"))
    group_id = changes.get("group_id", ticket.group_id)
    if "group_id" in changes:
        _check_group(group_id)
    if "assignee_id" in changes or "group_id" in changes:
        check_assignee(changes.get("assignee_id", ticket.assignee_id), group_id)
    custom = changes.pop("custom_fields", None) or {}
    if changes.get("status") in ("solved", "closed") and ticket.status not in ("solved", "closed"):
        if missing := field_values.missing_to_solve(ticket.id, custom):
            raise TicketError("status", _("fill in %(value)s before solving", value=', '.join(missing)))
    now = utcnow()
    try:
        done: dict = field_values.stage("ticket", ticket.id, custom) if custom else {}
    except FieldError as exc:
        raise TicketError(exc.field, exc.message) from None
    for name, new in changes.items():
        if name == "tags":
            new = normalise_tags(new)
            old = ticket.tags
            if set(old) != set(new):
                ticket.tag_rows = [TicketTag(name=t) for t in new]
                done["tags"] = [old, new]
            continue
        if name == "priority":
            old, new_value = ticket.priority_name, new
            if old != new:
                ticket.priority = PRIORITIES[new]
                done[name] = [old, new_value]
            continue
        if name == "subject":
            new = " ".join(str(new).split())
        old = getattr(ticket, name)
        if old != new:
            setattr(ticket, name, new)
            done[name] = [old, new]
    if not done:
        return done
    status_change = done.get("status")
    if status_change:
        if status_change[1] == "solved":
            ticket.solved_at = now
        elif status_change[1] == "closed":
            ticket.closed_at = now
            ticket.solved_at = ticket.solved_at or now
        else:
            ticket.solved_at = ticket.closed_at = None
    ticket.updated_at = now
    db.session.add(TicketEvent(ticket_id=ticket.id, actor_id=actor.id if actor else None, kind="changed", data=done, created_at=now))
    # The clocks in this transaction, as ingestion does: one commit per change instead of two.
    clocks = sla_clocks.refresh_in_change(ticket.id, ticket.status, ticket.sla_state, now, sla_config.active_policies())
    payload = events.ticket_payload(ticket) | {"changes": done, "actor_id": actor.id if actor else None} | clocks
    db.session.commit()
    events.publish("ticket.updated", payload)
    return done


def merge_tickets(source: Ticket, target: Ticket, actor: User) -> Ticket:
    """Move every message of `source` into `target`, close `source` as merged, commit, publish."""
    if source.id == target.id:
        raise TicketError("target", _("a ticket cannot be merged into itself"))
    if source.merged_into_id is not None:
        raise TicketError("target", _("ticket %(id)s was already merged", id=source.id))
    if target.merged_into_id is not None:
        raise TicketError("target", _("ticket %(id)s was merged into %(merged_into_id)s", id=target.id, merged_into_id=target.merged_into_id))
    now = utcnow()
    db.session.execute(update(Message).where(Message.ticket_id == source.id).values(ticket_id=target.id))
    source.merged_into_id = target.id
    source.status = "closed"
    source.closed_at = now
    source.updated_at = target.updated_at = now
    db.session.add_all([
        TicketEvent(ticket_id=source.id, actor_id=actor.id, kind="merged_into", data={"target": target.id}, created_at=now),
        TicketEvent(ticket_id=target.id, actor_id=actor.id, kind="merged_from", data={"source": source.id}, created_at=now),
    ])
    payloads = [events.ticket_payload(source) | {"changes": {"merged_into": [None, target.id]}},
                events.ticket_payload(target) | {"changes": {"merged_from": [None, source.id]}}]
    db.session.commit()
    for payload in payloads:
        events.publish("ticket.updated", payload)
    return target


def messages_of(ticket: Ticket) -> list[Message]:
    """Every message on the ticket, oldest first, with its attachments loaded (one query, not one per message)."""
    query = select(Message).where(Message.ticket_id == ticket.id).order_by(Message.id)
    return list(db.session.scalars(query.options(selectinload(Message.attachments))))


def timeline_of(ticket: Ticket) -> list[TicketEvent]:
    """The ticket's stored timeline, oldest first."""
    return list(db.session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)))
