"""Signed-in sessions, one per browser: started at sign-in, checked on every request (idle and
absolute expiry), listed and ended by their owner, all ended when the password changes or the user
is switched off. Ending a session closes its live Socket.IO connections at once (`user.changed`).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from helpdesk.extensions import db
from helpdesk.models import User, UserSession
from helpdesk.models.base import utcnow
from helpdesk.services import audit, events

TOUCH_INTERVAL = timedelta(minutes=1)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start(user: User, ip: str | None, user_agent: str | None) -> str:
    """A new session for `user`'s browser; returns its key (for the signed cookie). Commits."""
    key = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, key_hash=_hash(key), ip=(ip or None) and ip[:45],
                               user_agent=(user_agent or "")[:300] or None))
    db.session.commit()
    return key


def by_key(key: str | None) -> UserSession | None:
    """The session row of a browser's key (ended or not), or None."""
    if not key or not isinstance(key, str) or len(key) > 100:
        return None
    return db.session.scalar(select(UserSession).where(UserSession.key_hash == _hash(key)))


def check(user: User, key: str | None, *, idle: timedelta, absolute: timedelta) -> UserSession | None:
    """The live session of `user` with this key, touched (at most once a minute); None when it
    does not exist, ended, or expired (then it is marked ended, with the reason)."""
    row = by_key(key)
    if row is None or row.user_id != user.id or row.ended_at is not None:
        return None
    now = utcnow()
    expired = "idle" if now - row.last_seen_at > idle else "expired" if now - row.created_at > absolute else None
    if expired or now - row.last_seen_at > TOUCH_INTERVAL:
        row_id = row.id
        db.session.commit()  # end the read snapshot first: on SQLite the write below then waits its turn
        values = {"ended_at": now, "end_reason": expired} if expired else {"last_seen_at": now}
        db.session.execute(update(UserSession).where(UserSession.id == row_id, UserSession.ended_at.is_(None))
                           .values(**values))
        db.session.commit()
        row = db.session.get(UserSession, row_id)
    return None if expired or row is None or row.ended_at is not None else row


def live_of(user: User) -> list[UserSession]:
    """`user`'s sessions that have not ended, most recently used first."""
    return list(db.session.scalars(select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
                                   .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())))


def end(row: UserSession, actor: audit.Actor, reason: str = "ended") -> None:
    """End one session (its browser is signed out, its live connections close); commits."""
    if row.ended_at is not None:
        return
    row.ended_at, row.end_reason = utcnow(), reason
    user = db.session.get(User, row.user_id)
    user.rights_version += 1
    audit.record(actor, "session.end", "user", row.user_id, session_id=row.id, reason=reason)
    db.session.commit()
    events.publish("user.changed", {"user_id": row.user_id})


def end_all(user: User, reason: str, *, keep: UserSession | None = None) -> int:
    """End every live session of `user` but `keep`; the caller commits and publishes
    `user.changed`. Returns how many ended."""
    query = update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    done = db.session.execute(query.values(ended_at=utcnow(), end_reason=reason))
    user.rights_version += 1
    return done.rowcount


def end_others(user: User, keep: UserSession | None, actor: audit.Actor) -> int:
    """End every session of `user` but `keep` (this browser's); commits. Returns how many ended."""
    count = end_all(user, "ended", keep=keep)
    audit.record(actor, "session.end_others", "user", user.id, count=count)
    db.session.commit()
    events.publish("user.changed", {"user_id": user.id})
    return count
