"""The evaluation context of a ticket: a flat dict of everything a condition may ask (see
`conditions`), read with a handful of queries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Group, Message, Ticket
from helpdesk.models.base import utcnow
from helpdesk.services.fields.values import values_for

HOUR = 3600.0


def _custom(ctx: dict, prefix: str, values: dict) -> None:
    for key, value in values.items():
        ctx[f"{prefix}{key}"] = value


def _latest_customer_words(ticket_id: int) -> str:
    body = db.session.scalar(select(Message.body_text).where(Message.ticket_id == ticket_id, Message.kind == "inbound")
                             .order_by(Message.id.desc()).limit(1))
    return body or ""


def for_ticket(ticket: Ticket, *, text: str | None = None, now: datetime | None = None) -> dict:
    """The context of `ticket` now; `text`: the words of the message the event is about (else the
    customer's latest message)."""
    customer = ticket.customer
    organization = customer.organization if customer is not None else None
    group_name = db.session.scalar(select(Group.name).where(Group.id == ticket.group_id)) if ticket.group_id else None
    words = text if text is not None else _latest_customer_words(ticket.id)
    ctx = {
        "now": now or utcnow(),
        "status": ticket.status, "priority": ticket.priority_name, "group": ticket.group_id, "group_name": group_name,
        "assignee": ticket.assignee_id, "channel": ticket.channel, "subject": (ticket.subject or "").lower(),
        "text": f"{ticket.subject or ''}\n{words}".lower(), "tags": frozenset(ticket.tags),
        "language": (customer.language or "").lower() or None if customer else None,
        "customer.tier": customer.tier if customer else None,
        "customer.organization": customer.organization_id if customer else None,
        "organization_name": organization.name if organization else None,
    }
    _custom(ctx, "custom.", values_for("ticket", ticket.id))
    if customer is not None:
        _custom(ctx, "customer.custom.", values_for("customer", customer.id))
    if organization is not None:
        _custom(ctx, "organization.custom.", values_for("organization", organization.id))
    return ctx


def add_hours(ctx: dict, ticket: Ticket, pending_since: datetime | None) -> dict:
    """`ctx` with the hours since created, updated, pending (`pending_since`), solved and the
    customer's last message (None when that never happened)."""
    now = ctx["now"]

    def hours(moment: datetime | None) -> float | None:
        return (now - moment).total_seconds() / HOUR if moment is not None else None

    ctx.update({"hours_since_created": hours(ticket.created_at), "hours_since_updated": hours(ticket.updated_at),
                "hours_since_pending": hours(pending_since) if ticket.status == "pending" else None,
                "hours_since_solved": hours(ticket.solved_at) if ticket.status == "solved" else None,
                "hours_since_last_customer_message": hours(ticket.last_customer_message_at)})
    return ctx


def at_intake(*, channel: str, tier: str, group_id: int | None, group_name: str | None, subject: str, body: str,
              sender_priority: str | None, language: str | None = None, organization_id: int | None = None) -> dict:
    """The context of a ticket being opened, before it is stored (what ingestion knows)."""
    return {"now": utcnow(), "status": "new", "priority": None, "group": group_id, "group_name": group_name,
            "assignee": None, "channel": channel, "subject": subject.lower(), "text": f"{subject}\n{body}".lower(),
            "tags": frozenset(), "language": (language or "").lower() or None, "customer.tier": tier,
            "customer.organization": organization_id, "organization_name": None, "sender_priority": sender_priority}
