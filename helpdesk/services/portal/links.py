"""One-time sign-in links to the customer portal: mailed to a known address, or handed to a chat
visitor whose address is proven.

A link is good once, for LINK_MINUTES; only its token's SHA-256 is stored. Asking for a link
answers the same whether the address is known or not: the caller always says "if we know this
address, a link is on its way", and an unknown address (or one past its hourly allowance) simply
gets no mail.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update

from helpdesk.extensions import db
from helpdesk.models import Customer, PortalSignIn
from helpdesk.models.base import utcnow
from helpdesk.services import customers
from helpdesk.services.transactions import begin_write

LINK_MINUTES = 15
LANGUAGES = ("en", "es", "zh", "tl")  # what the portal speaks
TOKEN_MAX = 100


class LinkRefused(LookupError):
    """A link that cannot sign anyone in: `reason` is unknown, used or expired."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def hash_token(token: str) -> str:
    """How a token is kept: never in clear text."""
    return hashlib.sha256(token.encode()).hexdigest()


def customer_for_address(address: str) -> Customer | None:
    """The (surviving) customer whose e-mail identity is `address`, or None."""
    if not address or len(address) > customers.ADDRESS_MAX:
        return None
    identity = customers.find_identity("email", address.strip())
    if identity is None:
        return None
    return survivor(identity.customer)


def survivor(customer: Customer | None) -> Customer | None:
    """`customer`, or the record it was merged into (following chains of merges)."""
    seen: set[int] = set()
    while customer is not None and customer.merged_into_id is not None and customer.id not in seen:
        seen.add(customer.id)
        customer = db.session.get(Customer, customer.merged_into_id)
    return customer


def issue(customer: Customer, via: str) -> str:
    """A new sign-in token for `customer` (`via`: mail or widget); commits."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    begin_write()
    db.session.add(PortalSignIn(customer_id=customer.id, token_hash=hash_token(token), via=via, created_at=now,
                                expires_at=now + timedelta(minutes=LINK_MINUTES)))
    db.session.commit()
    return token


def request_by_mail(address: str) -> tuple[Customer, str] | None:
    """A token to mail to `address`, with its customer; None when the address is unknown or has
    had HELPDESK_PORTAL_LINKS_PER_HOUR links within the hour (the caller answers the same)."""
    customer = customer_for_address(address)
    if customer is None:
        return None
    hour_ago = utcnow() - timedelta(hours=1)
    sent = db.session.scalar(select(func.count()).select_from(PortalSignIn).where(
        PortalSignIn.customer_id == customer.id, PortalSignIn.via == "mail", PortalSignIn.created_at > hour_ago))
    if sent >= current_app.config["HELPDESK_PORTAL_LINKS_PER_HOUR"]:
        return None
    return customer, issue(customer, "mail")


def portal_language(code: str | None) -> str:
    """The portal language of a language tag (`es-MX` -> es, `fil` -> tl); English otherwise."""
    from knowledge_base.languages import normalise

    found = normalise(code)
    return found if found in LANGUAGES else "en"


def for_visitor(visitor_id: str) -> str | None:
    """A sign-in token for the chat visitor `visitor_id` when their e-mail address is proven (by
    the site's identity hash or the confirmation link); None otherwise. Commits."""
    from helpdesk.services.webchat import visitors

    customer = survivor(visitors.visitor_customer(visitor_id))
    if customer is None or customer.primary_email is None:
        return None
    return issue(customer, "widget")


def check(token: str) -> PortalSignIn:
    """The unused, unexpired link of `token` (nothing changes); LinkRefused otherwise."""
    row = (db.session.scalar(select(PortalSignIn).where(PortalSignIn.token_hash == hash_token(token)))
           if token and len(token) <= TOKEN_MAX else None)
    if row is None:
        raise LinkRefused("unknown")
    if row.used_at is not None:
        raise LinkRefused("used")
    if row.expires_at <= utcnow():
        raise LinkRefused("expired")
    return row


def redeem(token: str) -> Customer:
    """Use the link of `token` up and return its customer; commits. LinkRefused when it is unknown,
    used or expired. Using it is a conditional update, so two clicks at once sign in only once."""
    begin_write()
    row = check(token)
    now = utcnow()
    done = db.session.execute(update(PortalSignIn).where(
        PortalSignIn.id == row.id, PortalSignIn.used_at.is_(None), PortalSignIn.expires_at > now).values(used_at=now))
    if done.rowcount != 1:
        db.session.rollback()
        raise LinkRefused("used")
    customer = survivor(db.session.get(Customer, row.customer_id))
    db.session.commit()
    return customer
