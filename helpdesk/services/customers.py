"""Customer records: resolving identities, editing profiles, merging duplicates."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from channels.base import IDENTITY_KINDS, Sender
from helpdesk.extensions import db
from helpdesk.models import AuditEntry, Customer, Identity, Message, Organization, Ticket


class CustomerError(ValueError):
    """A customer change that cannot be made; the message says why."""


def normalise_address(kind: str, address: str) -> str:
    """Canonical form of an identity address, so one person maps to one identity."""
    if kind not in IDENTITY_KINDS:
        raise CustomerError(f"unknown identity kind {kind!r}")
    address = address.strip()
    if kind == "email":
        return address.lower()
    if kind in ("whatsapp", "phone"):
        digits = "".join(ch for ch in address if ch.isdigit())
        return "+" + digits if digits else address
    return address


def find_identity(kind: str, address: str) -> Identity | None:
    """The identity for (kind, address), if any customer has it."""
    return db.session.scalar(
        select(Identity).where(Identity.kind == kind, Identity.address == normalise_address(kind, address))
    )


def _organization_for(kind: str, address: str) -> int | None:
    if kind != "email" or "@" not in address:
        return None
    domain = address.rpartition("@")[2]
    return db.session.scalar(select(Organization.id).where(Organization.domain == domain))


def resolve(sender: Sender) -> tuple[Customer, Identity]:
    """Find the customer who owns `sender`'s identity, creating both when new.

    Runs inside the caller's transaction; a concurrent creation of the same identity is caught by
    the unique constraint in a savepoint and resolved to the winner's record.
    """
    address = normalise_address(sender.kind, sender.address)
    identity = find_identity(sender.kind, address)
    if identity is not None:
        return identity.customer, identity
    fallback_name = address.partition("@")[0] if sender.kind == "email" else address
    customer = Customer(name=(sender.name or fallback_name)[:200], organization_id=_organization_for(sender.kind, address))
    identity = Identity(kind=sender.kind, address=address, customer=customer)
    try:
        with db.session.begin_nested():
            db.session.add_all([customer, identity])
    except IntegrityError:
        identity = find_identity(sender.kind, address)
        if identity is None:
            raise
    return identity.customer, identity


def add_identity(customer: Customer, kind: str, address: str) -> Identity:
    """Attach a new identity to `customer`; refuses one that belongs to someone else."""
    address = normalise_address(kind, address)
    existing = find_identity(kind, address)
    if existing is not None:
        if existing.customer_id == customer.id:
            return existing
        raise CustomerError(f"{kind}:{address} already belongs to customer {existing.customer_id}")
    identity = Identity(kind=kind, address=address, customer=customer)
    db.session.add(identity)
    return identity


def merge(source: Customer, target: Customer, *, actor_id: int | None) -> Customer:
    """Move `source`'s identities, tickets and messages to `target`, keep an audit entry, commit."""
    if source.id == target.id:
        raise CustomerError("a customer cannot be merged into itself")
    if source.merged_into_id is not None or target.merged_into_id is not None:
        raise CustomerError("one of these customers was already merged")
    identity_ids = [i.id for i in source.identities]
    ticket_ids = list(db.session.scalars(select(Ticket.id).where(Ticket.customer_id == source.id)))
    db.session.execute(update(Identity).where(Identity.customer_id == source.id).values(customer_id=target.id))
    db.session.execute(update(Ticket).where(Ticket.customer_id == source.id).values(customer_id=target.id))
    for field in ("language", "timezone", "notes", "organization_id"):
        if getattr(target, field) is None and getattr(source, field) is not None:
            setattr(target, field, getattr(source, field))
    if source.is_vip:
        target.tier = "vip"
    source.merged_into_id = target.id
    db.session.add(AuditEntry(
        actor_id=actor_id, action="customer.merge", target_type="customer", target_id=target.id,
        data={"source_id": source.id, "source_name": source.name, "identity_ids": identity_ids, "ticket_ids": ticket_ids},
    ))
    db.session.commit()
    db.session.expire_all()
    return target


def customer_ticket_ids(customer_id: int) -> list[int]:
    """Ids of every ticket of a customer, newest first (for the sidebar and profile)."""
    return list(db.session.scalars(
        select(Ticket.id).where(Ticket.customer_id == customer_id).order_by(Ticket.created_at.desc())
    ))


def is_participant(ticket_id: int, customer_id: int) -> bool:
    """True when the customer owns the ticket or wrote a message on it."""
    if db.session.scalar(select(Ticket.id).where(Ticket.id == ticket_id, Ticket.customer_id == customer_id)):
        return True
    return db.session.scalar(
        select(Message.id).join(Identity, Message.identity_id == Identity.id)
        .where(Message.ticket_id == ticket_id, Identity.customer_id == customer_id).limit(1)
    ) is not None
