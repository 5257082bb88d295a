"""A page of the ticket list as plain rows, for the API's list: the same tickets, order and cursor
as `tickets.list_page`, without building ORM objects (and one ticket so, for the answer to opening one).

Loading 25 ORM tickets with their customers and tags was a third of the list's CPU (bench/README,
"Per request"). Here the page is one statement of the ticket columns the API shows, its tags one
more, its custom values one more when any ticket field is active (they were one per ticket).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Row, select

from helpdesk.extensions import db
from helpdesk.models import Ticket, TicketTag, User
from helpdesk.services import tickets
from helpdesk.services.fields import values as field_values

# The columns of a ticket that the API's TicketSchema shows (and every sort key).
COLUMNS = tuple(Ticket.__table__.c[name] for name in (
    "id", "subject", "status", "priority", "channel", "source", "customer_id", "group_id", "assignee_id",
    "merged_into_id", "created_at", "updated_at", "first_response_at", "solved_at", "closed_at",
    "first_response_due_at", "resolution_due_at", "next_response_due_at", "sla_policy_id", "sla_state"))


@dataclass(frozen=True)
class RowPage:
    """One page: ticket rows (COLUMNS), each ticket's tags in name order, each one's custom values
    ({key: typed value}), and the cursor of the next page (None on the last)."""

    rows: list[Row]
    tags: dict[int, list[str]]
    custom: dict[int, dict[str, object]]
    next_cursor: str | None


def _page(rows: list[Row], next_cursor: str | None) -> RowPage:
    ids = [row.id for row in rows]
    tags: dict[int, list[str]] = {ticket_id: [] for ticket_id in ids}
    if ids:
        for ticket_id, name in db.session.execute(select(TicketTag.ticket_id, TicketTag.name)
                                                  .where(TicketTag.ticket_id.in_(ids))
                                                  .order_by(TicketTag.ticket_id, TicketTag.name)):
            tags[ticket_id].append(name)
    return RowPage(rows, tags, field_values.values_of("ticket", ids), next_cursor)


def one_row(ticket_id: int) -> RowPage:
    """The ticket `ticket_id` (which must exist) as a page of one, without a visibility check."""
    return _page(db.session.execute(select(*COLUMNS).where(Ticket.__table__.c.id == ticket_id)).all(), None)


def list_rows(user: User, f: tickets.TicketFilter, *, sort: str = "updated", cursor: str | None = None,
              limit: int = 50) -> RowPage:
    """`tickets.list_page(user, f, sort=..., cursor=..., limit=...)` as rows; TicketError alike."""
    query = tickets.page_query(user, f, sort, cursor, limit).with_only_columns(*COLUMNS)
    found = db.session.execute(query).all()
    return _page(found[:limit], tickets.next_cursor(found, sort, limit))
