"""Portal sessions: a customer's browser signed in by a link. Kept apart from staff sessions (own
rows, own cookie), ended by signing out, by HELPDESK_PORTAL_SESSION_IDLE_DAYS without a visit or
after HELPDESK_PORTAL_SESSION_MAX_DAYS."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from helpdesk.extensions import db
from helpdesk.models import Customer, PortalSession
from helpdesk.models.base import utcnow
from helpdesk.services.portal import links
from helpdesk.services.transactions import begin_write

TOUCH_INTERVAL = timedelta(minutes=5)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start(customer: Customer) -> str:
    """A new portal session for `customer`; returns its key (for the portal's cookie). Commits."""
    key = secrets.token_urlsafe(32)
    begin_write()
    db.session.add(PortalSession(customer_id=customer.id, key_hash=_hash(key)))
    db.session.commit()
    return key


def _by_key(key: str | None) -> PortalSession | None:
    if not key or not isinstance(key, str) or len(key) > 100:
        return None
    return db.session.scalar(select(PortalSession).where(PortalSession.key_hash == _hash(key)))


def customer_of(key: str | None) -> Customer | None:
    """The signed-in customer of a session key, or None when it is unknown, ended or expired (an
    expired one is ended). A customer merged away since signs in as the record that survives."""
    row = _by_key(key)
    if row is None or row.ended_at is not None:
        return None
    config, now = current_app.config, utcnow()
    expired = (now - row.last_seen_at > timedelta(days=config["HELPDESK_PORTAL_SESSION_IDLE_DAYS"])
               or now - row.created_at > timedelta(days=config["HELPDESK_PORTAL_SESSION_MAX_DAYS"]))
    if expired or now - row.last_seen_at > TOUCH_INTERVAL:
        row_id, customer_id = row.id, row.customer_id
        db.session.commit()  # end the read snapshot: on SQLite the write then waits its turn
        begin_write()
        db.session.execute(update(PortalSession).where(PortalSession.id == row_id, PortalSession.ended_at.is_(None))
                           .values({"ended_at": now} if expired else {"last_seen_at": now}))
        db.session.commit()
        if expired:
            return None
        row = db.session.get(PortalSession, row_id) or PortalSession(customer_id=customer_id)
    customer = links.survivor(db.session.get(Customer, row.customer_id))
    return None if customer is None or customer.erased_at is not None else customer  # erased: nobody left


def end(key: str | None) -> None:
    """End the session of `key` (signing out); commits. Unknown keys are ignored."""
    row = _by_key(key)
    if row is not None and row.ended_at is None:
        begin_write()
        db.session.execute(update(PortalSession).where(PortalSession.id == row.id).values(ended_at=utcnow()))
        db.session.commit()
