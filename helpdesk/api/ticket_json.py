"""The ticket list's JSON (and a new ticket's) written straight from rows (services.ticket_rows):
the body `TicketPageSchema` (`TicketSchema`) dumps, byte for byte (tests/api/test_ticket_rows.py
compares them), without marshmallow's field-by-field work, a fifth of the list's CPU. The schemas
still document both answers.
"""

from __future__ import annotations

from datetime import datetime

from flask import Response, current_app
from sqlalchemy import Row

from helpdesk.models.tickets import PRIORITY_NAMES
from helpdesk.services.ticket_rows import RowPage


def _time(value: datetime | None) -> str | None:
    """As schemas.Timestamp writes it: a stored naive time is UTC."""
    if value is None:
        return None
    return value.isoformat() if value.tzinfo is not None else value.isoformat() + "+00:00"


def ticket(row: Row, tags: list[str], custom: dict[str, object]) -> dict:
    """One ticket as TicketSchema dumps it."""
    return {
        "id": row.id, "number": row.id, "subject": row.subject, "status": row.status,
        "priority": PRIORITY_NAMES[row.priority], "channel": row.channel, "source": row.source,
        "customer_id": row.customer_id, "group_id": row.group_id, "assignee_id": row.assignee_id,
        "merged_into_id": row.merged_into_id, "tags": tags, "custom_fields": custom,
        "created_at": _time(row.created_at), "updated_at": _time(row.updated_at),
        "first_response_at": _time(row.first_response_at), "solved_at": _time(row.solved_at),
        "closed_at": _time(row.closed_at), "first_response_due_at": _time(row.first_response_due_at),
        "resolution_due_at": _time(row.resolution_due_at), "next_response_due_at": _time(row.next_response_due_at),
        "sla_policy_id": row.sla_policy_id, "sla_state": row.sla_state,
    }


def ticket_response(page: RowPage) -> Response:
    """The answer with the one ticket of `page`, as `jsonify(TicketSchema().dump(ticket))` makes it."""
    [row] = page.rows
    return current_app.json.response(ticket(row, page.tags[row.id], page.custom[row.id]))


def page_response(page: RowPage) -> Response:
    """The 200 answer of a ticket list page, as `jsonify(TicketPageSchema().dump(...))` makes it."""
    items = [ticket(row, page.tags[row.id], page.custom[row.id]) for row in page.rows]
    return current_app.json.response({"items": items, "next_cursor": page.next_cursor})
