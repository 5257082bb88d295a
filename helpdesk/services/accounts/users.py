"""The users admin: list staff, change name / role / groups / language / time zone, switch off and
on, invite. A staff member's own language and time zone go through `update_user` too.

Every change is audited and committed, then `user.changed` is published so that live Socket.IO
connections of that user re-check their rooms (or are closed) at once, in every process.
"""

from __future__ import annotations

import secrets

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from helpdesk.extensions import db
from helpdesk.i18n import LANGUAGES as CONSOLE_LANGUAGES
from helpdesk.i18n import gettext as _
from helpdesk.i18n.formats import is_time_zone
from helpdesk.models import ApiToken, Group, Ticket, User
from helpdesk.models.base import utcnow
from helpdesk.models.staff import ROLES
from helpdesk.models.tickets import OPEN_STATUSES
from helpdesk.services import audit, events
from helpdesk.services.accounts import links, sessions
from helpdesk.services.staff import StaffError, new_user

UNCHANGED = object()
LANGUAGES = tuple(CONSOLE_LANGUAGES)


def find(email: str) -> User | None:
    """The staff member with this e-mail (any case), or None."""
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def list_users() -> list[User]:
    """Every staff member, by name, with their groups loaded."""
    return list(db.session.scalars(select(User).options(selectinload(User.groups)).order_by(User.name, User.id)))


def describe(user: User) -> dict:
    """The fields of `user` an admin changes, as the audit log and the API show them."""
    return {"name": user.name, "role": user.role, "groups": sorted(g.name for g in user.groups),
            "language": user.language, "time_zone": user.time_zone, "active": user.active}


def _groups_named(names: list[str]) -> list[Group]:
    wanted = list(dict.fromkeys(n.strip() for n in names if n.strip()))
    found = {g.name: g for g in db.session.scalars(select(Group).where(Group.name.in_(wanted)))} if wanted else {}
    missing = [n for n in wanted if n not in found]
    if missing:
        raise StaffError("groups", _("no group named %(value)s", value=repr(missing[0])))
    return [found[n] for n in wanted]


def _other_active_admins(user: User) -> int:
    return db.session.scalar(select(func.count(User.id)).where(User.role == "admin", User.active, User.id != user.id))


def _validate_place(language, time_zone) -> None:
    if language is not UNCHANGED and language not in (None, *LANGUAGES):
        raise StaffError("language", _("must be one of %(list)s", list=list(LANGUAGES)))
    if time_zone not in (UNCHANGED, None) and not is_time_zone(time_zone):
        raise StaffError("time_zone", _("must be an IANA time zone such as Europe/Madrid"))


def _validate(user: User, name, role, language, time_zone, active) -> None:
    if name is not UNCHANGED and not (isinstance(name, str) and name.strip() and len(name) <= 200):
        raise StaffError("name", _("must be 1 to 200 characters"))
    if role is not UNCHANGED and role not in ROLES:
        raise StaffError("role", _("must be one of %(list)s", list=list(ROLES)))
    _validate_place(language, time_zone)
    # The helpdesk must never be left without an administrator who can sign in.
    demoted = role is not UNCHANGED and role != "admin"
    if user.role == "admin" and user.active and (demoted or active is False) and not _other_active_admins(user):
        raise StaffError("role" if demoted else "active", _("the last active admin must stay an active admin"))


def update_user(user: User, actor: audit.Actor, *, name=UNCHANGED, role=UNCHANGED, groups=UNCHANGED,
                language=UNCHANGED, time_zone=UNCHANGED, active=UNCHANGED) -> User:
    """Change what is given (groups: a list of group names, replacing the user's), audit it,
    commit, and tell live connections. Switching off ends the user's sessions and revokes their
    API tokens. Raises StaffError (nothing changed) on bad input."""
    _validate(user, name, role, language, time_zone, active)
    before = describe(user)
    if name is not UNCHANGED:
        user.name = name.strip()
    if role is not UNCHANGED:
        user.role = role
    if groups is not UNCHANGED:
        user.groups = _groups_named(list(groups))
    if language is not UNCHANGED:
        user.language = language
    if time_zone is not UNCHANGED:
        user.time_zone = time_zone
    if active is not UNCHANGED:
        user.active = bool(active)
    old, new = audit.changes(before, describe(user))
    if not new:
        return user
    if new.get("active") is False:
        end_access(user)
    if {"role", "groups", "active"} & new.keys():
        user.rights_version += 1
    action = {True: "user.enable", False: "user.disable"}.get(new.get("active"), "user.update")
    audit.record(actor, action, "user", user.id, before=old, after=new)
    db.session.commit()
    events.publish("user.changed", {"user_id": user.id})
    return user


def end_access(user: User) -> None:
    """End every signed-in session and revoke every API token of `user` (tokens stay listed as
    revoked); the caller commits and publishes `user.changed`."""
    user.session_token = secrets.token_hex(16)
    sessions.end_all(user, "switched off")
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=utcnow()))
    user.rights_version += 1


def open_tickets(user: User) -> list[Ticket]:
    """The tickets assigned to `user` that are not solved or closed, oldest first (to reassign)."""
    return list(db.session.scalars(select(Ticket).where(Ticket.assignee_id == user.id, Ticket.status.in_(OPEN_STATUSES))
                                   .order_by(Ticket.created_at)))


def create(actor: audit.Actor, *, email: str, name: str, role: str, groups: list[str] = (),
           language: str | None = None, time_zone: str | None = None,
           password: str | None = None) -> tuple[User, str | None]:
    """Create a staff member; returns (user, invitation token). With a password they can sign in
    at once (no token); without one they get a single-use link (7 days) to choose it, which the
    caller e-mails. Raises StaffError (nothing created) on bad input; commits."""
    _validate_place(language, time_zone)
    user = new_user(email=email, name=name, role=role, password=password)
    user.groups = _groups_named(list(groups))
    user.language, user.time_zone = language, time_zone
    db.session.add(user)
    db.session.flush()
    token = links.issue(user, "invite") if password is None else None
    audit.record(actor, "user.invite" if token else "user.create", "user", user.id,
                 after={"email": user.email, **describe(user)})
    db.session.commit()
    return user, token


def reissue_invitation(user: User, actor: audit.Actor) -> str:
    """A fresh invitation link for a user who never set a password (the old one stops working)."""
    if user.password_hash:
        raise StaffError("email", _("this user has already set a password"))
    token = links.issue(user, "invite")
    audit.record(actor, "user.invite", "user", user.id, resent=True)
    db.session.commit()
    return token
