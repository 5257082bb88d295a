"""The sender of an ingested message as a customer identity: found, or inserted with a new customer.

Core statements built once: this runs for every message from every channel (see ingest_rows).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, bindparam, literal_column, select

from channels.base import Sender
from helpdesk.extensions import db
from helpdesk.models import Customer, Identity, Message
from helpdesk.services import customers


@dataclass(frozen=True)
class SenderRecord:
    """The identity and customer of a message's sender, as ingestion needs them."""

    identity_id: int
    customer_id: int
    tier: str
    organization_id: int | None
    is_new: bool  # both were inserted for this message
    name: str  # the customer's name (what an automatic answer greets)
    language: str | None = None  # the customer's language tag, when known (what it is written in)


@dataclass(frozen=True)
class Lookup:
    """What ingestion reads first about a message, in one round trip: where it was stored already
    (ticket id, message id), if it was, and its sender's known identity and normalised address."""

    stored: tuple[int, int] | None
    stored_text: str | None  # that stored message's text
    known: SenderRecord | None
    address: str | None


_identities, _customers, _messages = Identity.__table__, Customer.__table__, Message.__table__
_ONE_ROW = select(literal_column("1").label("one")).subquery("one_row")
# Both lookups hang off a one-row table with outer joins, so either may find nothing.
_LOOKUP = (select(_messages.c.ticket_id, _messages.c.id, _messages.c.body_text, _identities.c.id,
                  _identities.c.customer_id, _customers.c.tier, _customers.c.organization_id, _customers.c.name,
                  _customers.c.language)
           .select_from(_ONE_ROW
                        .outerjoin(_messages, and_(_messages.c.source == bindparam("source"),
                                                   _messages.c.external_id == bindparam("external_id")))
                        .outerjoin(_identities, and_(_identities.c.kind == bindparam("kind"),
                                                     _identities.c.address == bindparam("address")))
                        .outerjoin(_customers, _customers.c.id == _identities.c.customer_id)))
# The organization whose domain the address has is looked up inside the INSERT: one round trip.
_INSERT_CUSTOMER = (_customers.insert()
                    .values(organization_id=customers.ORGANIZATION_OF_DOMAIN.scalar_subquery())
                    .returning(_customers.c.id, _customers.c.organization_id))
_INSERT_IDENTITY = _identities.insert()


def lookup(source: str, external_id: str, sender: Sender | None) -> Lookup:
    """Whether (source, external id) is stored already, and who `sender` is if known (None: no
    sender wanted). The address is normalised first; CustomerError when it cannot be."""
    address = customers.normalise_address(sender.kind, sender.address) if sender is not None else None
    row = db.session.connection().execute(_LOOKUP, {
        "source": source, "external_id": external_id, "kind": sender.kind if sender else None, "address": address,
    }).one()
    stored = (row[0], row[1]) if row[1] is not None else None
    known = (SenderRecord(row[3], row[4], row[5], row[6], is_new=False, name=row[7], language=row[8])
             if row[3] is not None else None)
    return Lookup(stored, row[2], known, address)


def sender_record(sender: Sender, looked_up: Lookup) -> SenderRecord:
    """The customer who owns `sender`'s identity (as `lookup` found it), inserting both when new,
    in the caller's transaction (Core statements: this runs for every ingested message).

    A concurrent creation of the same identity fails our insert with IntegrityError; the caller
    rolls back and starts over, and then finds the winner's record."""
    if looked_up.known is not None:
        return looked_up.known
    address = looked_up.address
    connection = db.session.connection()
    fallback_name = address.partition("@")[0] if sender.kind == "email" else address
    name = (sender.name or fallback_name)[:200]
    customer_id, organization_id = connection.execute(_INSERT_CUSTOMER, {
        "name": name, "domain": customers.domain_of(sender.kind, address), "tier": "standard"}).one()
    identity_id = connection.execute(_INSERT_IDENTITY, {
        "customer_id": customer_id, "kind": sender.kind, "address": address}).inserted_primary_key[0]
    return SenderRecord(identity_id, customer_id, "standard", organization_id, is_new=True, name=name)
