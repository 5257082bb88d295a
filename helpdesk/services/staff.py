"""Staff accounts, groups and API tokens."""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from helpdesk.extensions import db
from helpdesk.models import ApiToken, Group, User
from helpdesk.models.base import utcnow
from helpdesk.models.staff import ROLES

PASSWORD_MIN = 10
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@functools.cache
def _dummy_hash() -> str:
    """Checked against when the e-mail is unknown, so that a login takes as long either way."""
    # Made on first use, not at import: scrypt takes ~0.1 s, which every process start (each CLI
    # command, `listen --once` from cron) paid whether or not anyone signed in.
    return generate_password_hash("not-a-real-password", method="scrypt")


class StaffError(ValueError):
    """An account change that cannot be made; `field` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def group_id_named(name: str | None, error: type[Exception]) -> int | None:
    """The id of the group called `name`, None when no name is given; raises `error("group", why)`
    when no group has that name (each channel's settings name their group this way)."""
    if not name:
        return None
    group_id = db.session.scalar(select(Group.id).where(Group.name == name))
    if group_id is None:
        raise error("group", f"no group named {name!r}")
    return group_id


def get_or_create_group(name: str, *, is_default: bool = False) -> Group:
    """The group called `name`, created if missing (the first group becomes the default)."""
    group = db.session.scalar(select(Group).where(Group.name == name))
    if group is None:
        first = db.session.scalar(select(Group.id).limit(1)) is None
        group = Group(name=name, is_default=is_default or first)
        db.session.add(group)
        db.session.flush()
    return group


def create_user(*, email: str, name: str, role: str, password: str, groups: list[str] = ()) -> User:
    """Create a staff user with a scrypt password hash; commits."""
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise StaffError("email", "is not an e-mail address")
    if role not in ROLES:
        raise StaffError("role", f"must be one of {list(ROLES)}")
    if len(password) < PASSWORD_MIN:
        raise StaffError("password", f"must be at least {PASSWORD_MIN} characters")
    if not name.strip():
        raise StaffError("name", "must not be empty")
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise StaffError("email", "is already taken")
    user = User(email=email, name=name.strip(), role=role, session_token=secrets.token_hex(16),
                password_hash=generate_password_hash(password, method="scrypt"))
    user.groups = [get_or_create_group(g) for g in groups]
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.password_hash:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def user_by_session_token(token: str) -> User | None:
    """The user whose login session carries `token` (see `User.get_id`)."""
    return db.session.scalar(select(User).where(User.session_token == token, User.active))


def rotate_session_token(user: User) -> None:
    """Invalidate every signed-in session of `user` (sign-out, password change); caller commits."""
    user.session_token = secrets.token_hex(16)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str = "") -> str:
    """Issue a new API token for `user`; only its hash is stored, so it is shown once."""
    token = "hd_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=_hash_token(token), name=name[:100]))
    db.session.commit()
    return token


def user_for_token(token: str | None) -> User | None:
    """The active user an API token belongs to, or None.

    `last_used_at` is refreshed at most once a minute, in a write transaction of its own: on
    SQLite a read transaction that turns into a write fails at once (no busy wait) when another
    writer committed meanwhile, and tokens are checked on every API call and socket connect.
    """
    if not token:
        return None
    row = db.session.scalar(select(ApiToken).options(joinedload(ApiToken.user))  # one query, not two
                            .where(ApiToken.token_hash == _hash_token(token)))
    if row is None or not row.user.active:
        return None
    user, now = row.user, utcnow()
    if row.last_used_at is None or now - row.last_used_at > TOKEN_TOUCH_INTERVAL:
        token_id = row.id
        db.session.commit()  # end the read snapshot so the write below waits for its turn instead
        db.session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
        db.session.commit()
    return user
