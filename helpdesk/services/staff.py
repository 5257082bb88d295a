"""Staff accounts, groups and API tokens."""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.security import check_password_hash, generate_password_hash

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import ApiToken, Group, User
from helpdesk.models.base import utcnow
from helpdesk.models.staff import ROLES
from helpdesk.services import audit, settings_cache
from helpdesk.services.accounts import passwords

TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)
TOKEN_CACHE_SECONDS = 30.0  # a bound on staleness for a change made without the ORM (none is, today)
TOKEN_CACHE_SIZE = 1000
TOKEN_ADDRESS_INTERVAL = timedelta(seconds=10)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@functools.cache
def _dummy_hash() -> str:
    """Checked against when the e-mail is unknown, so that a login takes as long either way."""
    # Made on first use, not at import: scrypt takes ~0.1 s, which every process start (each CLI
    # command, `listen --once` from cron) paid whether or not anyone signed in.
    return generate_password_hash("not-a-real-password", method="scrypt")


class StaffError(ValueError):
    """An account change that cannot be made; `field` names the offending input."""

    def __init__(self, field: str, message: str, *, conflict: bool = False) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.conflict = conflict  # the value is someone else's (the API answers 409)


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


def new_user(*, email: str, name: str, role: str, password: str | None) -> User:
    """A validated, not yet added staff user (no password: they set one through an invitation);
    raises StaffError naming the offending field."""
    email = email.strip().lower()
    if len(email) > 320 or not _EMAIL.match(email):
        raise StaffError("email", _("is not an e-mail address"))
    if role not in ROLES:
        raise StaffError("role", _("must be one of %(list)s", list=list(ROLES)))
    if not name.strip() or len(name) > 200:
        raise StaffError("name", _("must be 1 to 200 characters"))
    try:
        password_hash = passwords.hashed(password) if password is not None else None
    except passwords.PasswordRejected as exc:
        raise StaffError("password", str(exc)) from None
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise StaffError("email", _("is already taken"), conflict=True)
    return User(email=email, name=name.strip(), role=role, session_token=secrets.token_hex(16),
                password_hash=password_hash)


def create_user(*, email: str, name: str, role: str, password: str, groups: list[str] = ()) -> User:
    """Create a staff user with a scrypt password hash; commits."""
    user = new_user(email=email, name=name, role=role, password=password)
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


def record_sign_in(user: User, ip: str | None) -> None:
    """Note a successful sign-in (last sign-in time, audit log); commits."""
    user.last_login_at = utcnow()
    audit.record(audit.Actor(user_id=user.id, ip=ip, via="web"), "auth.sign_in", "user", user.id)
    db.session.commit()


def record_failed_sign_in(email: str, ip: str | None) -> None:
    """Note a failed sign-in (the e-mail tried, never the password) in the audit log; commits."""
    email = email.strip().lower()[:320]
    user_id = db.session.scalar(select(User.id).where(User.email == email))
    audit.record(audit.Actor(ip=ip, via="web"), "auth.sign_in_failed", "user", user_id, email=email)
    db.session.commit()


def password_matches(user: User, password: str) -> bool:
    """Whether `password` is `user`'s (False when they have none yet)."""
    if not user.password_hash:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(user.password_hash, password)


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


def token_row(token: str | None, ip: str | None = None) -> ApiToken | None:
    """The live (not revoked) token row of an active user for this bearer token, or None.

    `last_used_at` (and the address it came from) is refreshed at most once a minute, or when the
    address changes, in a write transaction of its own: on SQLite a read transaction that turns
    into a write fails at once (no busy wait) when another writer committed meanwhile, and tokens
    are checked on every API call and socket connect.
    """
    if not token or len(token) > 200:
        return None
    row = db.session.scalar(select(ApiToken).options(joinedload(ApiToken.user))  # one query, not two
                            .where(ApiToken.token_hash == _hash_token(token), ApiToken.revoked_at.is_(None)))
    if row is None or not row.user.active:
        return None
    now, ip = utcnow(), (ip or None) and ip[:45]
    if _touch_due(row.last_used_at, row.last_used_ip, now, ip):
        token_id = row.id
        db.session.commit()  # end the read snapshot so the write below waits for its turn instead
        values = {"last_used_at": now, **({"last_used_ip": ip} if ip else {})}
        db.session.execute(update(ApiToken).where(ApiToken.id == token_id).values(**values))
        db.session.commit()
        row = db.session.get(ApiToken, token_id)
        if row is None or row.revoked_at is not None or not row.user.active:
            return None  # revoked while we waited for the write
    return row


def _touch_due(last_used_at: datetime | None, last_ip: str | None, now: datetime, ip: str | None) -> bool:
    # Once a minute, or at once when the address changes but at most every few seconds: a token
    # shared by many clients (one integration's pool of servers, bench_burst's 1,000 addresses)
    # wrote its row on almost every request, and on SQLite each such read took the write lock.
    if last_used_at is None or now - last_used_at > TOKEN_TOUCH_INTERVAL:
        return True
    return bool(ip) and ip != last_ip and now - last_used_at > TOKEN_ADDRESS_INTERVAL


@dataclass(frozen=True)
class _Known:
    """A token this process checked: under which settings token, until when, its user (a detached
    copy with its groups), and its last use as stored."""

    settings_token: str
    until: float
    user: User
    last_used_at: datetime | None
    last_used_ip: str | None


_known: dict[str, _Known] = {}
_clock = time.monotonic


def _detached_copy(user: User) -> User:
    """A copy of `user` and their groups that belongs to no session, for `Session.merge(load=False)`."""
    copy = User(**{a.key: getattr(user, a.key) for a in User.__mapper__.column_attrs})
    groups = [Group(**{a.key: getattr(g, a.key) for a in Group.__mapper__.column_attrs}) for g in user.groups]
    for group in groups:
        make_transient_to_detached(group)
    set_committed_value(copy, "groups", groups)  # no backref: a group's members stay unloaded
    make_transient_to_detached(copy)
    return copy


def _attach(copy: User) -> User:
    """The session's instance of the cached user, without a query."""
    session = db.session()
    present = session.identity_map.get(sa_inspect(copy).key)
    return present if present is not None else session.merge(copy, load=False)


def user_for_token(token: str | None, ip: str | None = None) -> User | None:
    """The active user a live API token belongs to, or None (see `token_row`).

    Cached per process by the token's hash under the settings token (services.settings_cache),
    which revoking a token, deleting one and any change of a user (switching off, role, groups,
    name...) renew in the same commit: such a change denies the next request in every process, as
    each request reads the settings token anyway (custom fields, SLA policies). An entry also
    lapses after TOKEN_CACHE_SECONDS. The user comes back as the session's own instance, with
    their groups loaded, without a query."""
    if not token or len(token) > 200:
        return None
    key, settings = _hash_token(token), settings_cache.current_token()
    known = _known.get(key)
    now, ip = utcnow(), (ip or None) and ip[:45]
    if (known is not None and known.settings_token == settings and _clock() < known.until
            and not _touch_due(known.last_used_at, known.last_used_ip, now, ip)):
        return _attach(known.user)
    row = token_row(token, ip)
    if row is None:
        _known.pop(key, None)
        return None
    if settings is not None:
        if len(_known) >= TOKEN_CACHE_SIZE:
            _known.clear()
        _known[key] = _Known(settings, _clock() + TOKEN_CACHE_SECONDS, _detached_copy(row.user),
                             row.last_used_at, row.last_used_ip)
    return row.user
