"""Small helpers the console views share: parsing query arguments, loading related rows in bulk."""

from __future__ import annotations

from collections.abc import Iterable

from flask import abort, current_app, request
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from channels.base import Attachment as UploadedFile
from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Customer, Group, Message, Ticket, User
from helpdesk.services import tickets


class BadInput(ValueError):
    """A request argument that cannot be understood; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


MAX_FILES = 10


def uploaded_files(field: str = "files") -> tuple[UploadedFile, ...]:
    """The files of a form's `field`: at most MAX_FILES, each at most HELPDESK_MAX_ATTACHMENT_BYTES
    (read no further than that); BadInput otherwise. Names and types are cleaned where they are stored."""
    files = [f for f in request.files.getlist(field) if f and f.filename]
    if len(files) > MAX_FILES:
        raise BadInput(field, _("at most %(max_files)s files per reply", max_files=MAX_FILES))
    limit = current_app.config["HELPDESK_MAX_ATTACHMENT_BYTES"]
    result = []
    for item in files:
        content = item.read(limit + 1)
        if len(content) > limit:
            raise BadInput(field, _("%(filename)s is larger than %(limit)s bytes", filename=item.filename, limit=limit))
        result.append(UploadedFile(filename=item.filename, content=content,
                                   content_type=item.mimetype or "application/octet-stream"))
    return tuple(result)


def optional_int(value: str | None, field: str) -> int | None:
    """`value` as a positive 32-bit integer, None when empty; BadInput otherwise."""
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except ValueError:
        raise BadInput(field, _("must be a number")) from None
    if not 0 < number < 2**31:
        raise BadInput(field, _("is out of range"))
    return number


def preload(tickets: Iterable[Ticket]) -> None:
    """Load the customers, groups and assignees of `tickets` in three queries instead of one per row,
    and attach them to the tickets (the session's identity map holds rows only weakly, so merely
    loading them would not keep them for rendering)."""
    tickets = list(tickets)
    relations = (("customer", Customer, "customer_id"), ("group", Group, "group_id"), ("assignee", User, "assignee_id"))
    for relation, model, attribute in relations:
        pending = [t for t in tickets if relation not in t.__dict__]
        ids = {getattr(t, attribute) for t in pending} - {None}
        rows = {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))} if ids else {}
        for ticket in pending:
            set_committed_value(ticket, relation, rows.get(getattr(ticket, attribute)))


def all_groups() -> list[Group]:
    return list(db.session.scalars(select(Group).order_by(Group.name)))


def assignable_users(group_id: int | None = None) -> list[User]:
    """Active staff who may be assigned a ticket of `group_id` (any group when None)."""
    users = db.session.scalars(select(User).options(selectinload(User.groups)).where(User.active).order_by(User.name))
    return [u for u in users if group_id is None or u.sees_all_groups or group_id in u.group_ids]


def get_or_404(model, object_id: int):
    row = db.session.get(model, object_id) if 0 < object_id < 2**31 else None
    if row is None:
        abort(404)
    return row


@login_required
def admins_only():
    """A `before_request` hook for admin pages: other staff get 404, as if the page did not exist."""
    if current_user.role != "admin":
        abort(404)


def ticket_or_404(ticket_id: int) -> Ticket:
    """The ticket if the signed-in staff member may see it; 404 otherwise (never 403: ids can't be probed)."""
    try:
        return tickets.get_for(current_user, ticket_id)
    except tickets.TicketNotFound:
        abort(404)


def message_or_404(ticket: Ticket, message_id: int) -> Message:
    """A message of `ticket`; 404 for any other id."""
    message = db.session.get(Message, message_id) if 0 < message_id < 2**31 else None
    if message is None or message.ticket_id != ticket.id:
        abort(404)
    return message
