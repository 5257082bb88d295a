"""Custom field values on tickets, customers and organizations: parsed by kind, stored as text
(and number), read back typed, required ones checked before a ticket is solved."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select, tuple_

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import CustomValue, Ticket, TicketEvent, User
from helpdesk.models.base import utcnow
from helpdesk.services import events
from helpdesk.services.fields.definitions import FieldDef, FieldError, active, by_key

TEXT_MAX = 1000
TRUE, FALSE = "true", "false"


def parse(field: FieldDef, raw) -> tuple[str, float | None] | None:
    """`raw` as stored for `field`: (text, number or None); None clears the value. FieldError."""
    name = f"custom_fields.{field.key}"
    if raw is None or (isinstance(raw, str) and not raw.strip() and field.kind != "checkbox"):
        return None
    if field.kind == "checkbox":
        if isinstance(raw, bool):
            return (TRUE if raw else FALSE), None
        text = str(raw).strip().lower()
        if text in ("1", "true", "on", "yes"):
            return TRUE, None
        if text in ("", "0", "false", "off", "no"):
            return FALSE, None
        raise FieldError(name, _("must be true or false"))
    if field.kind == "number":
        try:
            number = float(raw) if not isinstance(raw, bool) else None
        except (TypeError, ValueError):
            number = None
        if number is None or number != number or abs(number) > 1e15:
            raise FieldError(name, _("must be a number"))
        return (str(int(number)) if number.is_integer() else repr(number)), number
    text = " ".join(str(raw).split()) if field.kind != "text" else str(raw).strip()
    if field.kind == "date":
        try:
            return date.fromisoformat(text).isoformat(), None
        except ValueError:
            raise FieldError(name, _("must be a date YYYY-MM-DD")) from None
    if field.kind == "dropdown" and text not in field.options:
        raise FieldError(name, _("must be one of %(list)s", list=list(field.options)))
    if len(text) > TEXT_MAX:
        raise FieldError(name, _("must be at most %(text_max)s characters", text_max=TEXT_MAX))
    return text, None


def typed(field: FieldDef, text: str, number: float | None):
    """A stored value as the API, the console and conditions see it."""
    if field.kind == "checkbox":
        return text == TRUE
    if field.kind == "number":
        return int(number) if number is not None and number.is_integer() else number
    return text


def values_of(entity: str, object_ids: list[int]) -> dict[int, dict[str, object]]:
    """{object id: {key: typed value}} for the active fields of `entity` (one query)."""
    fields = {f.id: f for f in active(entity)}
    found: dict[int, dict[str, object]] = {oid: {} for oid in object_ids}
    if not fields or not object_ids:
        return found
    rows = db.session.execute(select(CustomValue.field_id, CustomValue.object_id, CustomValue.value, CustomValue.number)
                              .where(CustomValue.field_id.in_(fields), CustomValue.object_id.in_(object_ids)))
    for field_id, object_id, text, number in rows:
        found[object_id][fields[field_id].key] = typed(fields[field_id], text, number)
    return found


def values_for(entity: str, object_id: int) -> dict[str, object]:
    """{key: typed value} of one ticket, customer or organization."""
    return values_of(entity, [object_id])[object_id]


def stage(entity: str, object_id: int, changes: dict) -> dict:
    """Write `changes` ({key: raw value; None clears}) without committing; returns
    {"custom.<key>": [old, new]} of what changed. FieldError for an unknown key or a bad value."""
    current = values_for(entity, object_id)
    done: dict = {}
    now = utcnow()
    for key, raw in changes.items():
        field = by_key(entity, key)
        if field is None:
            raise FieldError(f"custom_fields.{key}", _("no %(entity)s field %(key)s", entity=entity, key=repr(key)))
        parsed = parse(field, raw)
        old = current.get(key)
        new = typed(field, *parsed) if parsed is not None else None
        if old == new:
            continue
        db.session.execute(delete(CustomValue).where(tuple_(CustomValue.field_id, CustomValue.object_id) == (field.id, object_id)))
        if parsed is not None:
            db.session.add(CustomValue(field_id=field.id, object_id=object_id, value=parsed[0], number=parsed[1], updated_at=now))
        done[f"custom.{key}"] = [old, new]
    return done


def set_ticket_values(ticket: Ticket, actor: User | None, changes: dict) -> dict:
    """Change a ticket's custom values, with a timeline entry; commits and publishes
    `ticket.updated`. Returns {"custom.<key>": [old, new]}."""
    done = stage("ticket", ticket.id, changes)
    if not done:
        return done
    now = utcnow()
    ticket.updated_at = now
    db.session.add(TicketEvent(ticket_id=ticket.id, actor_id=actor.id if actor else None, kind="changed", data=done,
                               created_at=now))
    payload = events.ticket_payload(ticket) | {"changes": done, "actor_id": actor.id if actor else None}
    db.session.commit()
    events.publish("ticket.updated", payload)
    return done


def missing_to_solve(ticket_id: int, staged: dict | None = None) -> list[str]:
    """Labels of the ticket's required-to-solve fields that are still empty (after `staged`,
    {key: value} about to be written, if given)."""
    required = [f for f in active("ticket") if f.required_to_solve]
    if not required:
        return []
    current = values_for("ticket", ticket_id) | {k: v for k, v in (staged or {}).items() if v not in (None, "")}
    return [f.label for f in required if current.get(f.key) in (None, "")]
