"""Setting a password: by an admin (or the command line), by the user (the current one
required), and through an e-mailed link (an invitation, a reset). Each ends the user's other
sessions, is audited, and commits.
"""

from __future__ import annotations

from helpdesk.extensions import db
from helpdesk.models import User
from helpdesk.services import audit, events, staff
from helpdesk.services.accounts import links, passwords, sessions
from helpdesk.services.accounts.passwords import PasswordRejected  # noqa: F401 - callers catch it from here

RESETS_PER_HOUR = 3  # per account: the same answer, no more mail, so an address cannot be mail-bombed


class WrongPassword(ValueError):
    """The current password given to change one's own is not the user's."""


def set_password(user: User, password: str, actor: audit.Actor, *, action: str = "user.password_set") -> None:
    """Give `user` a new password and end every session they have; commits. Raises
    PasswordRejected (nothing changed) when it does not meet the rules."""
    user.password_hash = passwords.hashed(password)
    staff.rotate_session_token(user)
    sessions.end_all(user, "password changed")
    audit.record(actor, action, "user", user.id)
    db.session.commit()
    events.publish("user.changed", {"user_id": user.id})


def change_own(user: User, current: str, new: str, actor: audit.Actor) -> None:
    """The signed-in user changes their password; raises WrongPassword or PasswordRejected. Every
    session ends, this one too: the caller signs the user in again on its new session."""
    if not staff.password_matches(user, current):
        audit.record(actor, "user.password_change_failed", "user", user.id)
        db.session.commit()
        raise WrongPassword("the current password is wrong")
    passwords.check(new)
    set_password(user, new, actor, action="user.password_change")


def request_reset(email: str, actor: audit.Actor) -> tuple[User, str] | None:
    """A reset link token for the active user with this e-mail, or None for an unknown or
    switched-off address (the caller answers the same either way); commits."""
    email = email.strip().lower()[:320]
    user = db.session.scalar(db.select(User).where(User.email == email))
    usable = user is not None and user.active and bool(user.password_hash)
    if not usable or links.issued_lately(user, "reset") >= RESETS_PER_HOUR:
        audit.record(actor, "user.password_reset_requested", "user", user.id if user else None, email=email,
                     sent=False, reason="limit" if usable else "no such active account")
        db.session.commit()
        return None
    token = links.issue(user, "reset")
    audit.record(actor, "user.password_reset_requested", "user", user.id, email=email, sent=True)
    db.session.commit()
    return user, token


def complete_link(token: str, purpose: str, password: str, actor: audit.Actor) -> User | None:
    """Set the password through an invitation or reset link; None when the link is unknown,
    used or expired. Raises PasswordRejected (the link stays usable) on a weak password."""
    link = links.valid(token, purpose)
    if link is None:
        return None
    passwords.check(password)
    user = db.session.get(User, link.user_id)
    if user is None or not user.active or not links.use(link):
        db.session.rollback()
        return None
    set_password(user, password, actor, action="user.invitation_accepted" if purpose == "invite" else "user.password_reset")
    return user

