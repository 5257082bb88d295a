"""What a signed-in customer sees of tickets and does on them in the portal.

A customer sees their own tickets from every channel; an organization's manager (`org_manager`)
also sees those of every customer of the organization. Anything else is "not found", never
"forbidden". Only public messages are shown: internal notes never leave the console.
"""

from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Attachment, Customer, Message, Survey, Ticket, TicketEvent
from helpdesk.models.base import utcnow
from helpdesk.services import tickets as ticket_service

PUBLIC_KINDS = ("inbound", "outbound")
PAGE = 50
# What a customer is told of a status: whether it waits on them, on us, or is done.
CUSTOMER_STATUS = {"new": "open", "open": "open", "on_hold": "open", "pending": "awaiting_you",
                   "solved": "solved", "closed": "closed"}


class NotFound(LookupError):
    """No such ticket, attachment or survey for this customer (answered as 404)."""


class NotAllowed(ValueError):
    """An action the ticket's state does not allow now; `message` says why, in the reader's words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _visible_clause(customer: Customer):
    own = Ticket.customer_id == customer.id
    if customer.org_manager and customer.organization_id is not None:
        colleagues = select(Customer.id).where(Customer.organization_id == customer.organization_id)
        return or_(own, Ticket.customer_id.in_(colleagues))
    return own


def visible(customer: Customer) -> Select:
    """The customer's tickets (and the organization's, for a manager), merged ones left out."""
    return select(Ticket).where(_visible_clause(customer), Ticket.merged_into_id.is_(None))


def list_for(customer: Customer, *, state: str = "open", page: int = 1, limit: int = PAGE) -> tuple[list[Ticket], bool]:
    """Page `page` of the tickets the customer sees, the latest updated first: `state` open (not
    solved or closed) or done; and whether there are more after it."""
    query = visible(customer).options(selectinload(Ticket.customer))
    done = Ticket.status.in_(("solved", "closed"))
    query = query.where(done if state == "done" else ~done)
    rows = list(db.session.scalars(query.order_by(Ticket.updated_at.desc(), Ticket.id.desc())
                                   .offset((page - 1) * limit).limit(limit + 1)))
    return rows[:limit], len(rows) > limit


def get(customer: Customer, ticket_id: int) -> Ticket:
    """The ticket `ticket_id` if the customer sees it; NotFound otherwise (whoever's it is)."""
    if not 0 < ticket_id < 2**31:
        raise NotFound(ticket_id)
    ticket = db.session.scalar(visible(customer).where(Ticket.id == ticket_id))
    if ticket is None:
        raise NotFound(ticket_id)
    return ticket


def public_messages(ticket: Ticket) -> list[Message]:
    """The ticket's inbound and outbound messages, oldest first, with attachments; never notes."""
    query = (select(Message).where(Message.ticket_id == ticket.id, Message.kind.in_(PUBLIC_KINDS))
             .order_by(Message.id).options(selectinload(Message.attachments)))
    return list(db.session.scalars(query))


def attachment(customer: Customer, attachment_id: int) -> Attachment:
    """A file of a public message on a ticket the customer sees; NotFound otherwise."""
    row = db.session.get(Attachment, attachment_id) if 0 < attachment_id < 2**31 else None
    message = db.session.get(Message, row.message_id) if row is not None else None
    if message is None or message.kind not in PUBLIC_KINDS:
        raise NotFound(attachment_id)
    get(customer, message.ticket_id)
    return row


def pending_survey(customer: Customer, ticket: Ticket) -> Survey | None:
    """The ticket's survey the customer may still answer (sent to them, not expired), if any."""
    return db.session.scalar(
        select(Survey).where(Survey.ticket_id == ticket.id, Survey.customer_id == customer.id, Survey.state == "sent",
                             Survey.expires_at > utcnow()).order_by(Survey.id.desc()).limit(1))


def survey_of(customer: Customer, ticket: Ticket, survey_id: int) -> Survey:
    """The survey `survey_id` of this ticket sent to this customer; NotFound otherwise."""
    survey = db.session.get(Survey, survey_id) if 0 < survey_id < 2**31 else None
    if survey is None or survey.ticket_id != ticket.id or survey.customer_id != customer.id:
        raise NotFound(survey_id)
    return survey


def close(customer: Customer, ticket: Ticket) -> None:
    """The customer says the request is done: the ticket is solved (as an agent's solve would, so
    its survey follows), with a timeline line saying who. NotAllowed when it is solved or closed."""
    if ticket.status in ("solved", "closed"):
        raise NotAllowed(_("This request is closed already."))
    _by_customer(customer, ticket, "closed", "solved")


def reopen(customer: Customer, ticket: Ticket) -> None:
    """The customer needs more help on a solved ticket: it is open again. NotAllowed for an open
    ticket, or a closed one (closed is final: the customer starts a new request)."""
    if ticket.status == "closed":
        raise NotAllowed(_("This request is closed for good; please start a new one."))
    if ticket.status != "solved":
        raise NotAllowed(_("This request is open already."))
    _by_customer(customer, ticket, "reopened", "open")


def _by_customer(customer: Customer, ticket: Ticket, action: str, status: str) -> None:
    # Staged before update_ticket, which commits it with the change and publishes the update.
    db.session.add(TicketEvent(ticket_id=ticket.id, kind="customer_action", created_at=utcnow(),
                               data={"action": action, "customer_id": customer.id, "via": "portal"}))
    ticket_service.update_ticket(ticket, None, status=status)
