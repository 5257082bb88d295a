"""Who a widget visitor is: a signed visitor token, and an e-mail address only once it is proven.

A visitor starts as nobody but a random visitor id, signed by the server into a token the widget
keeps; the token names its widget too, so it is useless on another one. Until the address is
proven, the customer record behind a visitor has the identity `webchat:<visitor id>` only, so
typing someone's address never shows or joins their history. The proof is either the customer
site's identity hash (see channels.webchat.identity) or a click on a link we e-mail.
"""

from __future__ import annotations

import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from channels.base import Sender
from channels.webchat.identity import canonical_email, hash_matches
from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import ChannelAccount, Customer, Identity, Ticket, TicketEvent
from helpdesk.services import customers, events
from helpdesk.services.transactions import begin_write
from helpdesk.services.webchat import widgets as webchat_widgets

TOKEN_MAX_AGE = 365 * 24 * 3600  # a returning visitor continues for a year; every connect renews it
CONFIRM_MAX_AGE = 2 * 24 * 3600
NAME_MAX = 100
VISITOR_ID = 22  # characters of secrets.token_urlsafe(16)


class VisitorError(ValueError):
    """Visitor input that cannot be used; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def new_visitor_id() -> str:
    """A fresh, unguessable visitor id."""
    return secrets.token_urlsafe(16)


def issue_token(account: ChannelAccount, visitor_id: str) -> str:
    """The signed token that lets the widget of `account` speak for `visitor_id`."""
    return _serializer("webchat-visitor").dumps({"w": account.id, "v": visitor_id})


def read_token(account: ChannelAccount, token: str | None) -> str | None:
    """The visitor id in `token` if the server signed it for this widget and it is not too old; else None."""
    if not token or len(token) > 500:
        return None
    try:
        data = _serializer("webchat-visitor").loads(token, max_age=TOKEN_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("w") != account.id or not isinstance(data.get("v"), str):
        return None
    return data["v"]


def visitor_customer(visitor_id: str) -> Customer | None:
    """The customer record behind a visitor who has written (or proven an address), else None."""
    identity = customers.find_identity("webchat", visitor_id)
    return identity.customer if identity is not None else None


def verified_email(visitor_id: str) -> str | None:
    """The proven e-mail address of a visitor: only proven addresses are ever attached to them."""
    customer = visitor_customer(visitor_id)
    return customer.primary_email if customer is not None else None


def clean_email(email: str | None) -> str:
    """A plausible address in canonical form; VisitorError otherwise."""
    address = canonical_email(email or "")
    if not customers._EMAIL.match(address) or len(address) > customers.ADDRESS_MAX:
        raise VisitorError("email", _("is not an e-mail address"))
    return address


def clean_name(name: str | None) -> str | None:
    """The name a visitor typed, single-spaced and bounded, or None."""
    text = " ".join((name or "").split())[:NAME_MAX]
    return text or None


def verify_with_hash(account: ChannelAccount, visitor_id: str, email: str, given_hash: str | None,
                     name: str | None = None) -> bool:
    """Attach `email` to the visitor when `given_hash` is its identity hash under the widget's
    secret; commits. False (and nothing changes) for a missing or forged hash."""
    address = clean_email(email)
    if not hash_matches(webchat_widgets.identity_secret(account), address, given_hash):
        return False
    link_email(account, visitor_id, address, name=name, proof="identity hash")
    return True


def confirmation_token(account: ChannelAccount, visitor_id: str, email: str) -> str:
    """A signed, expiring token for the confirmation link e-mailed to `email`."""
    return _serializer("webchat-confirm").dumps({"w": account.id, "v": visitor_id, "e": clean_email(email)})


def confirm(token: str) -> str | None:
    """Attach the address a confirmation link was sent to; commits. Returns it, or None when the
    link is forged, expired or its widget is gone."""
    try:
        data = _serializer("webchat-confirm").loads(token, max_age=CONFIRM_MAX_AGE)
    except BadSignature:
        return None
    account = webchat_widgets.widget_by_id(int(data.get("w") or 0)) if isinstance(data, dict) else None
    if account is None or not account.active:
        return None
    link_email(account, data["v"], data["e"], proof="confirmation link")
    return data["e"]


def rename(visitor_id: str, name: str | None) -> None:
    """Use the name from the pre-chat form, but only on a record that is the visitor's alone
    (never rename a customer the visitor merely claims to be); commits."""
    name = clean_name(name)
    customer = visitor_customer(visitor_id)
    if name and customer is not None and all(i.kind == "webchat" for i in customer.identities):
        customer.name = name
    db.session.commit()


def note_unverified_email(visitor_id: str, address: str) -> None:
    """Keep the address a visitor gave (not yet confirmed) on their own record, for agents to see
    as unverified; never on a customer the visitor merely claims to be. Commits."""
    customer = visitor_customer(visitor_id)
    if customer is not None and all(i.kind == "webchat" for i in customer.identities):
        customer.unverified_email = address
    db.session.commit()


def link_email(account: ChannelAccount, visitor_id: str, email: str, *, name: str | None = None, proof: str) -> Customer:
    """Make the proven `email` part of the visitor's customer: the visitor's record is merged into
    the customer who already has the address, or the address is added to the visitor's record.
    Notes it on the visitor's open conversation; commits and returns the surviving customer."""
    begin_write()
    visitor, _identity = customers.resolve(Sender(kind="webchat", address=visitor_id, name=clean_name(name)))
    owner = customers.find_identity("email", email)
    if owner is None:
        customers.add_identity(visitor, "email", email)
        survivor = visitor
    elif owner.customer_id == visitor.id:
        survivor = visitor
    else:
        db.session.flush()
        survivor = customers.merge(visitor, _active(owner.customer), actor_id=None)
    if survivor.unverified_email == email or visitor.unverified_email == email:
        survivor.unverified_email = visitor.unverified_email = None  # proven now: an identity
    ticket = conversation(account, visitor_id)
    payload = None
    if ticket is not None:
        db.session.add(TicketEvent(ticket_id=ticket.id, kind="visitor_verified", data={"email": email, "proof": proof}))
        payload = events.ticket_payload(ticket) | {"changes": {"customer_id": [visitor.id, survivor.id]}}
    db.session.commit()
    if payload is not None:
        events.publish("ticket.updated", payload)
    return survivor


def _active(customer: Customer) -> Customer:
    seen = set()
    while customer.merged_into_id is not None and customer.id not in seen:
        seen.add(customer.id)
        customer = db.session.get(Customer, customer.merged_into_id)
    return customer


def conversation(account: ChannelAccount, visitor_id: str) -> Ticket | None:
    """The visitor's latest conversation on this widget (open or not), or None before the first message."""
    return db.session.scalar(
        select(Ticket).where(Ticket.source == account.source, Ticket.thread_key == visitor_id,
                             Ticket.merged_into_id.is_(None)).order_by(Ticket.id.desc()).limit(1)
    )


def conversation_ids(account: ChannelAccount, visitor_id: str) -> list[int]:
    """Every conversation (ticket id) the visitor had on this widget, oldest first."""
    return list(db.session.scalars(
        select(Ticket.id).where(Ticket.source == account.source, Ticket.thread_key == visitor_id).order_by(Ticket.id)
    ))


def visitor_of_identity(identity: Identity | None) -> str | None:
    """The visitor id of a webchat identity."""
    return identity.address if identity is not None and identity.kind == "webchat" else None
