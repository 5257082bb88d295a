"""Bulk actions: one change, one macro or one merge applied to many tickets, ticket by ticket.

Each ticket goes through the same service a single change uses (`tickets.update_ticket`,
`macros.apply.apply`, `tickets.merge_tickets`), in its own transaction, publishing its own events:
SLA clocks, report facts, the timeline and live updates behave exactly as for one change. A ticket
the actor may not see, or that the change does not fit (an assignee outside its group), is
refused on its own; the others are done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import selectinload

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Macro, Ticket, User
from helpdesk.models.tickets import PRIORITIES, STATUSES
from helpdesk.services import audit, tickets
from helpdesk.services.macros import apply as macro_apply
from helpdesk.services.replies import ReplyError
from helpdesk.services.tickets import TicketError, TicketNotFound, normalise_tags
from helpdesk.services.transactions import begin_write

MAX_TICKETS = 1000
CHANGES = ("status", "priority", "group_id", "assignee_id", "add_tags", "remove_tags")


@dataclass
class Outcome:
    """What happened to one ticket: `ok` with its `changes` ({field: [old, new]}), or refused with
    `error` = {"code": 404 | 422, "field": ..., "message": ...}."""

    id: int
    ok: bool
    changes: dict = field(default_factory=dict)
    error: dict | None = None


def unique_ids(ids: Iterable[int]) -> list[int]:
    """`ids` without repeats, in their order; TicketError('ids') when empty or over MAX_TICKETS."""
    unique = list(dict.fromkeys(int(i) for i in ids))
    if not unique:
        raise TicketError("ids", _("select at least one ticket"))
    if len(unique) > MAX_TICKETS:
        raise TicketError("ids", _("at most %(max_tickets)s tickets at a time", max_tickets=MAX_TICKETS))
    return unique


def check_changes(changes: dict) -> dict:
    """The bulk change, validated once for all tickets; TicketError naming the field otherwise."""
    if unknown := set(changes) - set(CHANGES):
        raise TicketError(sorted(unknown)[0], _("cannot be changed in bulk"))
    if not changes:
        raise TicketError("changes", _("give at least one change"))
    if "status" in changes and changes["status"] not in STATUSES:
        raise TicketError("status", _("must be one of %(list)s", list=list(STATUSES)))
    if "priority" in changes and changes["priority"] not in PRIORITIES:
        raise TicketError("priority", _("must be one of %(list)s", list=list(PRIORITIES)))
    clean = dict(changes)
    for name in ("add_tags", "remove_tags"):
        if name in clean:
            try:
                clean[name] = normalise_tags(clean[name] or [])
            except TicketError as exc:
                raise TicketError(name, exc.message) from None
    return clean


def _each(actor: User, ids: list[int], act: Callable[[Ticket], dict], what: dict) -> list[Outcome]:
    # Which of them the actor may see, in one query (get_for per ticket would reload the actor's
    # groups after every commit); each ticket is still read again inside its own transaction.
    visible = set(db.session.scalars(tickets.visible_to(actor).with_only_columns(Ticket.id).where(Ticket.id.in_(ids))))
    groups = None if actor.sees_all_groups else set(actor.group_ids)
    outcomes: list[Outcome] = []
    # Every ticket is read afresh inside its own transaction (populate_existing), so the commits
    # need not expire what the session holds: without it each commit made the actor reload too.
    session = db.session()
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        _loop(actor, ids, act, visible, groups, outcomes)
    finally:
        session.expire_on_commit = expire_on_commit
    _audit(what, outcomes)
    return outcomes


def _audit(what: dict, outcomes: list[Outcome]) -> None:
    # One entry for the whole action (each ticket's own timeline already names the change).
    begin_write()
    audit.record(None, "tickets.bulk", "ticket", None, **what,
                 done=[o.id for o in outcomes if o.ok], refused=[o.id for o in outcomes if not o.ok])
    db.session.commit()


def _loop(actor: User, ids: list[int], act: Callable[[Ticket], dict], visible: set[int], groups: set[int] | None,
          outcomes: list[Outcome]) -> None:
    for ticket_id in ids:
        if ticket_id not in visible:
            outcomes.append(Outcome(id=ticket_id, ok=False, error={
                "code": 404, "field": "ids", "message": f"no ticket {ticket_id}"}))
            continue
        begin_write()  # this ticket's own transaction, a writer from its first read (SQLite)
        try:
            ticket = db.session.get(Ticket, ticket_id, populate_existing=True, options=[selectinload(Ticket.tag_rows)])
            if ticket is None or groups is not None and ticket.group_id not in groups:
                raise TicketNotFound(ticket_id)  # moved out of the actor's groups since the check above
            outcomes.append(Outcome(id=ticket_id, ok=True, changes=act(ticket)))
        except TicketNotFound:
            db.session.rollback()
            outcomes.append(Outcome(id=ticket_id, ok=False, error={
                "code": 404, "field": "ids", "message": f"no ticket {ticket_id}"}))
        except (TicketError, ReplyError) as exc:
            db.session.rollback()
            outcomes.append(Outcome(id=ticket_id, ok=False, error={"code": 422, "field": exc.field, "message": exc.message}))
        except OperationalError:
            db.session.rollback()
            outcomes.append(Outcome(id=ticket_id, ok=False, error={
                "code": 503, "field": "ids", "message": "the database was busy; try this ticket again"}))


def change_many(actor: User, ids: Iterable[int], changes: dict) -> list[Outcome]:
    """Apply `changes` (status, priority, group_id, assignee_id, add_tags, remove_tags) to each of
    `ids` that `actor` may see, one transaction per ticket; one Outcome per ticket, in order."""
    ids, changes = unique_ids(ids), check_changes(changes)

    def change(ticket: Ticket) -> dict:
        own = {k: v for k, v in changes.items() if k not in ("add_tags", "remove_tags")}
        if "add_tags" in changes or "remove_tags" in changes:
            removed = set(changes.get("remove_tags") or ())
            current = ticket.tags
            own["tags"] = [t for t in current if t not in removed] + \
                [t for t in changes.get("add_tags") or () if t not in current]
        return tickets.update_ticket(ticket, actor, **own)

    return _each(actor, ids, change, {"changes": changes})


def apply_macro_many(actor: User, ids: Iterable[int], macro: Macro) -> list[Outcome]:
    """Apply `macro` to each of `ids` (its reply sent, its note added, its changes made)."""
    ids = unique_ids(ids)
    return _each(actor, ids, lambda ticket: macro_apply.apply(ticket, macro, actor, reply_to="send").changes,
                 {"macro_id": macro.id})


def merge_many(actor: User, ids: Iterable[int], target_id: int) -> list[Outcome]:
    """Merge each of `ids` into the ticket `target_id` (which may be among them: it is left as it is)."""
    ids = [i for i in unique_ids(ids) if i != target_id]
    if not ids:
        raise TicketError("ids", _("select the tickets to merge besides the one they merge into"))
    try:
        tickets.get_for(actor, target_id)
    except TicketNotFound:
        raise TicketError("merge_into", _("no ticket %(target_id)s", target_id=target_id)) from None

    def merge(ticket: Ticket) -> dict:
        tickets.merge_tickets(ticket, tickets.get_for(actor, target_id), actor)
        return {"merged_into": [None, target_id]}

    return _each(actor, ids, merge, {"merge_into": target_id})


def ids_in_view(actor: User, f: tickets.TicketFilter) -> list[int]:
    """The ids of every ticket of the list `f` (as `actor` sees it), most recently changed first;
    TicketError('ids') when there are more than MAX_TICKETS."""
    query = tickets.filtered(actor, f).with_only_columns(Ticket.id).order_by(Ticket.updated_at.desc(), Ticket.id.desc())
    ids = list(db.session.scalars(query.limit(MAX_TICKETS + 1)))
    if len(ids) > MAX_TICKETS:
        raise TicketError("ids", _("this view holds more than %(max_tickets)s tickets; narrow it first", max_tickets=MAX_TICKETS))
    return ids


def summary(outcomes: list[Outcome]) -> dict:
    """{"done": n, "failed": m}."""
    done = sum(1 for o in outcomes if o.ok)
    return {"done": done, "failed": len(outcomes) - done}
