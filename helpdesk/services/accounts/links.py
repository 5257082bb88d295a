"""Single-use links e-mailed to staff (an invitation, a password reset).

The token is 256 random bits; only its SHA-256 is stored, so a copy of the database opens nothing.
A link works once, until it expires, and a newer link of the same purpose replaces older ones.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import func, select, update

from helpdesk.extensions import db
from helpdesk.models import AccountLink, User
from helpdesk.models.base import utcnow

INVITE_TTL = timedelta(days=7)
RESET_TTL = timedelta(hours=1)
TTL = {"invite": INVITE_TTL, "reset": RESET_TTL}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(user: User, purpose: str) -> str:
    """A new link token for `user` (older unused ones of the same purpose stop working); the
    caller commits."""
    now = utcnow()
    db.session.execute(update(AccountLink).where(AccountLink.user_id == user.id, AccountLink.purpose == purpose,
                                                 AccountLink.used_at.is_(None)).values(used_at=now))
    token = secrets.token_urlsafe(32)
    db.session.add(AccountLink(user_id=user.id, purpose=purpose, token_hash=_hash(token), created_at=now,
                               expires_at=now + TTL[purpose]))
    return token


def issued_lately(user: User, purpose: str, within: timedelta = timedelta(hours=1)) -> int:
    """How many links of `purpose` `user` was sent within the last `within`."""
    since = utcnow() - within
    return db.session.scalar(select(func.count(AccountLink.id)).where(
        AccountLink.user_id == user.id, AccountLink.purpose == purpose, AccountLink.created_at > since))


def valid(token: str | None, purpose: str) -> AccountLink | None:
    """The unused, unexpired link of `purpose` with this token, or None (it is not used up)."""
    if not token or len(token) > 100:
        return None
    link = db.session.scalar(select(AccountLink).where(AccountLink.token_hash == _hash(token),
                                                       AccountLink.purpose == purpose))
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        return None
    return link


def use(link: AccountLink) -> bool:
    """Mark `link` used; False when a concurrent request used it first (the change must not
    happen then). The caller commits."""
    done = db.session.execute(update(AccountLink).where(AccountLink.id == link.id, AccountLink.used_at.is_(None))
                              .values(used_at=utcnow()))
    return done.rowcount == 1
