"""The evaluation context of a ticket: a flat dict of everything a condition may ask (see
`conditions`), read with a handful of queries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select

from helpdesk.extensions import db
from helpdesk.models import Customer, CustomValue, Group, Message, Organization, Ticket, TicketTag
from helpdesk.models.base import utcnow
from helpdesk.models.fields import ENTITIES
from helpdesk.services.automation.conditions import CUSTOM_PREFIXES
from helpdesk.services.fields.definitions import active
from helpdesk.services.fields.values import typed, values_for

HOUR = 3600.0


def _latest_customer_words(ticket_id: int) -> str:
    body = db.session.scalar(select(Message.body_text).where(Message.ticket_id == ticket_id, Message.kind == "inbound")
                             .order_by(Message.id.desc()).limit(1))
    return body or ""


def _custom_values(ticket_id: int, customer_id: int | None, organization_id: int | None) -> dict:
    """The custom values of the ticket, its customer and organization, keyed as conditions name
    them (`custom.<key>`, `customer.custom.<key>`, `organization.custom.<key>`), in one query."""
    owners = {"ticket": ("custom.", ticket_id), "customer": ("customer.custom.", customer_id),
              "organization": ("organization.custom.", organization_id)}
    fields = {f.id: (f, owners[entity][0]) for entity in ENTITIES if owners[entity][1] is not None
              for f in active(entity)}
    if not fields:
        return {}
    wanted = or_(*(and_(CustomValue.field_id.in_([i for i, (f, _) in fields.items() if f.entity == entity]),
                        CustomValue.object_id == object_id)
                   for entity, (_prefix, object_id) in owners.items() if object_id is not None))
    rows = db.session.execute(select(CustomValue.field_id, CustomValue.value, CustomValue.number).where(wanted))
    return {f"{fields[fid][1]}{fields[fid][0].key}": typed(fields[fid][0], text, number) for fid, text, number in rows}


def for_ticket(ticket: Ticket, *, text: str | None = None, now: datetime | None = None,
               needs: frozenset[str] | None = None) -> dict:
    """The context of `ticket` now; `text`: the words of the message the event is about (else the
    customer's latest message). `needs`: the fields some condition asks (None: all); what none
    asks is not read."""
    def wanted(*names: str) -> bool:
        return needs is None or any(n in needs for n in names)

    ctx = {"now": now or utcnow(), "status": ticket.status, "priority": ticket.priority_name,
           "group": ticket.group_id, "assignee": ticket.assignee_id, "channel": ticket.channel,
           "subject": (ticket.subject or "").lower()}
    person = db.session.execute(
        select(Customer.tier, Customer.language, Customer.organization_id, Organization.name,
               select(Group.name).where(Group.id == ticket.group_id).scalar_subquery())
        .select_from(Customer).outerjoin(Organization, Organization.id == Customer.organization_id)
        .where(Customer.id == ticket.customer_id)).one_or_none()
    tier, language, organization_id, organization_name, group_name = person or (None, None, None, None, None)
    ctx |= {"group_name": group_name, "language": (language or "").lower() or None, "customer.tier": tier,
            "customer.organization": organization_id, "organization_name": organization_name}
    if wanted("tags"):
        ctx["tags"] = frozenset(db.session.scalars(select(TicketTag.name).where(TicketTag.ticket_id == ticket.id)))
    if wanted("text"):
        words = text if text is not None else _latest_customer_words(ticket.id)
        ctx["text"] = f"{ticket.subject or ''}\n{words}".lower()
    if needs is None or any(n.startswith(CUSTOM_PREFIXES) for n in needs):
        ctx |= _custom_values(ticket.id, ticket.customer_id, organization_id)
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
    """The context of a ticket being opened, before it is stored (what ingestion knows; see
    `add_customer` for what it may read about a known customer)."""
    return {"now": utcnow(), "status": "new", "priority": None, "group": group_id, "group_name": group_name,
            "assignee": None, "channel": channel, "subject": subject.lower(), "text": f"{subject}\n{body}".lower(),
            "tags": frozenset(), "language": (language or "").lower() or None, "customer.tier": tier,
            "customer.organization": organization_id, "organization_name": None, "sender_priority": sender_priority}


def add_customer(ctx: dict, customer_id: int | None, needs: frozenset[str]) -> dict:
    """`ctx` at intake with the customer's language, organization name and custom values (of the
    customer and their organization), read only when some condition asks them."""
    if customer_id is None:
        return ctx
    if needs & {"language", "organization_name", "customer.organization"}:
        row = db.session.execute(select(Customer.language, Organization.name).select_from(Customer)
                                 .outerjoin(Organization, Organization.id == Customer.organization_id)
                                 .where(Customer.id == customer_id)).one_or_none()
        if row is not None:
            ctx |= {"language": (row[0] or "").lower() or None, "organization_name": row[1]}
    if any(n.startswith("customer.custom.") for n in needs):
        _custom(ctx, "customer.custom.", values_for("customer", customer_id))
    organization_id = ctx.get("customer.organization")
    if organization_id is not None and any(n.startswith("organization.custom.") for n in needs):
        _custom(ctx, "organization.custom.", values_for("organization", organization_id))
    return ctx


def _custom(ctx: dict, prefix: str, values: dict) -> None:
    for key, value in values.items():
        ctx[f"{prefix}{key}"] = value
