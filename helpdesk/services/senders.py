"""The sender of an ingested message as a customer identity: found, or inserted with a new customer.

Core statements built once: this runs for every message from every channel (see ingest_rows).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select

from channels.base import Sender
from helpdesk.extensions import db
from helpdesk.models import Customer, Identity
from helpdesk.services import customers


@dataclass(frozen=True)
class SenderRecord:
    """The identity and customer of a message's sender, as ingestion needs them."""

    identity_id: int
    customer_id: int
    tier: str
    organization_id: int | None
    is_new: bool  # both were inserted for this message


_identities, _customers = Identity.__table__, Customer.__table__
_SENDER = (select(_identities.c.id, _identities.c.customer_id, _customers.c.tier, _customers.c.organization_id)
           .join(_customers, _customers.c.id == _identities.c.customer_id)
           .where(_identities.c.kind == bindparam("kind"), _identities.c.address == bindparam("address")))
_INSERT_CUSTOMER = _customers.insert()
_INSERT_IDENTITY = _identities.insert()


def find_sender(kind: str, address: str) -> SenderRecord | None:
    """The identity (kind, normalised `address`) and its customer, if any (one Core query)."""
    row = db.session.connection().execute(_SENDER, {"kind": kind, "address": address}).first()
    return (SenderRecord(row.id, row.customer_id, row.tier, row.organization_id, is_new=False)
            if row is not None else None)


def sender_record(sender: Sender) -> SenderRecord:
    """Find the customer who owns `sender`'s identity, inserting both when new, in the caller's
    transaction (Core statements: this runs for every ingested message).

    A concurrent creation of the same identity fails our insert with IntegrityError; the caller
    rolls back and starts over, and then finds the winner's record."""
    address = customers.normalise_address(sender.kind, sender.address)
    found = find_sender(sender.kind, address)
    if found is not None:
        return found
    connection = db.session.connection()
    fallback_name = address.partition("@")[0] if sender.kind == "email" else address
    organization_id = customers.organization_for(sender.kind, address)
    customer_id = connection.execute(_INSERT_CUSTOMER, {
        "name": (sender.name or fallback_name)[:200], "organization_id": organization_id,
        "tier": "standard"}).inserted_primary_key[0]
    identity_id = connection.execute(_INSERT_IDENTITY, {
        "customer_id": customer_id, "kind": sender.kind, "address": address}).inserted_primary_key[0]
    return SenderRecord(identity_id, customer_id, "standard", organization_id, is_new=True)
