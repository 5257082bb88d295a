"""Schemas of the staff endpoints: users, the caller (`/me`), API tokens."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from helpdesk.api.schemas import NOT_BLANK, ExpandedSchema, Timestamp
from helpdesk.i18n.formats import is_time_zone
from helpdesk.models.staff import ROLES
from helpdesk.services.accounts.users import LANGUAGES

GROUPS = fields.List(fields.String(validate=validate.Length(1, 100)), validate=validate.Length(max=100),
                     metadata={"description": "Group names; the user's groups are replaced by these."})


def _known_zone(value: str | None) -> None:
    if value is not None and not is_time_zone(value):
        raise ValidationError("must be an IANA time zone such as Europe/Madrid")


def _time_zone_field():
    return fields.String(allow_none=True, validate=_known_zone,
                         metadata={"description": "An IANA time zone (Europe/Madrid) for the console's dates; "
                                                  "null: the helpdesk's default."})


class UserSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    role = fields.String()
    groups = fields.Method("_groups")
    language = fields.String(allow_none=True)
    time_zone = fields.String(allow_none=True)
    active = fields.Boolean()
    last_login_at = Timestamp(allow_none=True)
    created_at = Timestamp()
    two_factor = fields.Method("_two_factor", metadata={"description": "Whether a second factor is enrolled."})
    invitation_pending = fields.Method("_pending", metadata={"description": "Invited and no password set yet."})

    def _groups(self, user) -> list[str]:
        return sorted(g.name for g in user.groups)

    def _two_factor(self, user) -> bool:
        return bool(getattr(user, "totp_enabled", False))

    def _pending(self, user) -> bool:
        return not user.password_hash


class UserListSchema(Schema):
    items = fields.List(fields.Nested(UserSchema))


class UserChangesSchema(Schema):
    """Fields to change; the ones left out stay as they are."""

    name = fields.String(validate=[validate.Length(1, 200), NOT_BLANK])
    role = fields.String(validate=validate.OneOf(ROLES))
    groups = GROUPS
    language = fields.String(allow_none=True, validate=validate.OneOf(LANGUAGES))
    time_zone = _time_zone_field()
    active = fields.Boolean(truthy={True}, falsy={False}, metadata={"description": "false switches the user off: their sessions, "
                                                                  "API tokens and live connections end at once."})


class NewUserSchema(Schema):
    """A new staff member. Without `password` they get an e-mailed invitation link (7 days, single
    use) to choose one."""

    email = fields.Email(required=True, validate=validate.Length(max=320))
    name = fields.String(required=True, validate=[validate.Length(1, 200), NOT_BLANK])
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    groups = GROUPS
    language = fields.String(allow_none=True, validate=validate.OneOf(LANGUAGES))
    time_zone = _time_zone_field()
    password = fields.String(load_only=True, validate=validate.Length(max=1024))


class TokenSchema(Schema):
    id = fields.Integer()
    user_id = fields.Integer()
    name = fields.String()
    created_at = Timestamp()
    last_used_at = Timestamp(allow_none=True)
    last_used_ip = fields.String(allow_none=True)
    revoked_at = Timestamp(allow_none=True)
    active = fields.Boolean()


class TokenListSchema(Schema):
    items = fields.List(fields.Nested(TokenSchema))


class NewTokenSchema(Schema):
    name = fields.String(required=True, validate=[validate.Length(1, 100), NOT_BLANK])


class CreatedTokenSchema(ExpandedSchema, TokenSchema):
    token = fields.String(metadata={"description": "The secret, shown this once only."})
