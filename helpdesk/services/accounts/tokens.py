"""API tokens as their owners and admins manage them: list, create (shown once), revoke.

A revoked token stays listed (name, when it was created and last used, from where) and never
authenticates again; its live Socket.IO connections are closed at once (`user.changed`).
"""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import ApiToken, User
from helpdesk.models.base import utcnow
from helpdesk.services import audit, events, staff

NAME_MAX = 100


class TokenError(ValueError):
    """A token request that cannot be done; `field` names the input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def tokens_of(user: User) -> list[ApiToken]:
    """Every token of `user`, revoked ones too, newest first."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def describe(token: ApiToken) -> dict:
    """A token as the API, the CLI and the pages show it (never its secret)."""
    iso = lambda value: value.isoformat() + "Z" if value else None  # noqa: E731
    return {"id": token.id, "user_id": token.user_id, "name": token.name, "created_at": iso(token.created_at),
            "last_used_at": iso(token.last_used_at), "last_used_ip": token.last_used_ip,
            "revoked_at": iso(token.revoked_at), "active": token.revoked_at is None}


def create(user: User, name: str, actor: audit.Actor) -> tuple[ApiToken, str]:
    """A new token named `name` for `user`: (row, secret). The secret is shown once; commits."""
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise TokenError("name", _("must be 1 to %(name_max)s characters", name_max=NAME_MAX))
    if not user.active:
        raise TokenError("user", _("is switched off"))
    secret = staff.create_token(user, name)
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc()).limit(1))
    audit.record(actor, "token.create", "api_token", row.id, after={"user_id": user.id, "name": name})
    db.session.commit()
    return row, secret


def revoke(token: ApiToken, actor: audit.Actor) -> ApiToken:
    """Revoke `token` (again is harmless); commits and closes its live connections."""
    if token.revoked_at is not None:
        return token
    token.revoked_at = utcnow()
    token.user.rights_version += 1
    audit.record(actor, "token.revoke", "api_token", token.id, before={"active": True}, after={"active": False},
                 user_id=token.user_id, name=token.name)
    db.session.commit()
    events.publish("user.changed", {"user_id": token.user_id})
    return token
