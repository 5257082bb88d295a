"""Reports by custom field: how many tickets created in a period carry each option of a dropdown."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, select

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import CustomValue, Ticket, User
from helpdesk.services.fields.definitions import FieldDef, FieldError, by_key

NONE = "(none)"


def tickets_by_field(key: str, since: datetime, until: datetime, user: User) -> list[tuple[str, int]]:
    """[(option, tickets)] for the ticket dropdown (or checkbox) field `key` over tickets created in
    [since, until) that `user` may see, every option listed (zero included), then "(none)"."""
    field: FieldDef | None = by_key("ticket", key)
    if field is None or field.kind not in ("dropdown", "checkbox"):
        raise FieldError("field", _("no ticket dropdown or checkbox field %(key)s", key=repr(key)))
    joined = and_(CustomValue.field_id == field.id, CustomValue.object_id == Ticket.id)
    query = (select(CustomValue.value, func.count()).select_from(Ticket).outerjoin(CustomValue, joined)
             .where(Ticket.created_at >= since, Ticket.created_at < until, Ticket.merged_into_id.is_(None)))
    if not user.sees_all_groups:
        query = query.where(Ticket.group_id.in_(user.group_ids or [-1]))
    counts = dict(db.session.execute(query.group_by(CustomValue.value)).all())
    options = list(field.options) if field.kind == "dropdown" else ["true", "false"]
    return [(option, counts.get(option, 0)) for option in options] + [(NONE, counts.get(None, 0))]
