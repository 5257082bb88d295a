"""Staff users, their groups (teams) and API tokens."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, BigInteger, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import db
from helpdesk.models.base import utcnow

ROLES = ("admin", "supervisor", "agent")

group_members = Table(
    "group_members",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Group(db.Model):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    is_default: Mapped[bool] = mapped_column(default=False)

    members: Mapped[list[User]] = relationship(secondary=group_members, back_populates="groups")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default="agent")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Changing it logs out every session of this user (Flask-Login reads it as the session id).
    session_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The console's language and IANA time zone for this person (None: the browser's language, the
    # helpdesk's default zone).
    language: Mapped[str | None] = mapped_column(String(16))
    time_zone: Mapped[str | None] = mapped_column(String(64))
    last_login_at: Mapped[datetime | None]
    # Bumped by every change of what this user may see or use (active, role, groups, tokens,
    # sessions): live Socket.IO connections compare it to re-check their rooms.
    rights_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Two-factor sign-in (TOTP): the secret sealed with the app's key, set when enrolment starts and
    # in force from totp_enabled_at; the last time step accepted (a code works once); hashes of the
    # unused recovery codes.
    totp_secret: Mapped[str | None] = mapped_column(Text)
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    totp_recovery: Mapped[list | None] = mapped_column(JSON)

    groups: Mapped[list[Group]] = relationship(secondary=group_members, back_populates="members")

    def get_id(self) -> str:
        return self.session_token

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    @property
    def totp_enabled(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def sees_all_groups(self) -> bool:
        return self.role in ("admin", "supervisor")

    @property
    def group_ids(self) -> list[int]:
        return [g.id for g in self.groups]


class ApiToken(db.Model):
    """A bearer token for the REST API and Socket.IO; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    last_used_ip: Mapped[str | None] = mapped_column(String(45))
    # A revoked token stays listed (who had it, when it was last used) and never authenticates again.
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class AccountLink(db.Model):
    """A single-use link e-mailed to a staff member (an invitation, a password reset); only the
    SHA-256 of its token is stored."""

    __tablename__ = "account_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))  # "invite" or "reset"
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class UserSession(db.Model):
    """One signed-in browser (device) of a staff member; only the SHA-256 of its key is stored,
    the key itself lives in that browser's signed session cookie."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(32))  # signed out, ended, idle, expired, ...


class SecuritySettings(db.Model):
    """The admins' security settings (one row): the roles that must sign in with a second factor."""

    __tablename__ = "security_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    two_factor_roles: Mapped[list] = mapped_column(JSON, default=list)
