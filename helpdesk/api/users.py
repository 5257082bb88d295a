"""Staff endpoints: the caller (`/me`), the users admin (admins only), API tokens.

Every change goes through the same services as the console and the command line, so it is
audited and reaches live connections at once.
"""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import abort

from helpdesk.api.auth import ProtectedBlueprint, current_staff
from helpdesk.api.errors import fail
from helpdesk.api.schemas import Expanded
from helpdesk.api.user_schemas import (
    CreatedTokenSchema,
    NewTokenSchema,
    NewUserSchema,
    TokenListSchema,
    TokenSchema,
    UserChangesSchema,
    UserListSchema,
    UserSchema,
)
from helpdesk.extensions import db
from helpdesk.models import ApiToken, User
from helpdesk.services import audit
from helpdesk.services.accounts import tokens as api_tokens
from helpdesk.services.accounts import users as accounts
from helpdesk.services.staff import StaffError

blp = ProtectedBlueprint("api-users", __name__, url_prefix="/api/v1", description=(
    "Staff accounts. `/me` is the caller; `/users` is for admins (others get 403)."))


def actor() -> audit.Actor:
    """The caller as the audit log records them."""
    return audit.Actor(user_id=current_staff().id, ip=request.remote_addr, via="api")


def admins_only() -> None:
    if current_staff().role != "admin":
        abort(403, message="only admins manage staff accounts")


def user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None:
        abort(404, message=f"no user {user_id}")
    return user


def _staff_error(exc: StaffError):
    field = {"active": "active", "groups": "groups"}.get(exc.field, exc.field)
    fail(409 if exc.conflict else 422, "json", field, str(exc).split(": ", 1)[-1])


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, UserSchema)
    def get(self):
        """The staff member the token belongs to"""
        return current_staff()


@blp.route("/users")
class UserList(MethodView):
    @blp.response(200, UserListSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    def get(self):
        """List staff (admins)"""
        admins_only()
        return {"items": accounts.list_users()}

    @blp.arguments(NewUserSchema)
    @blp.response(201, UserSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(409, response="CONFLICT", description="The e-mail address is taken.")
    def post(self, data: dict):
        """Create a staff member (admins)

        With `password` the account is ready at once; without it an invitation link is e-mailed.
        """
        admins_only()
        from helpdesk.jobs import accounts as account_jobs

        try:
            user, token = accounts.create(actor(), email=data["email"], name=data["name"], role=data["role"],
                                          groups=data.get("groups") or [], language=data.get("language"),
                                          time_zone=data.get("time_zone"),
                                          password=data.get("password"))
        except StaffError as exc:
            db.session.rollback()
            _staff_error(exc)
        if token:
            account_jobs.send_link(user.email, user.name, "invite", token, user.language)
        return user


@blp.route("/users/<int:user_id>")
class UserItem(MethodView):
    @blp.response(200, UserSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, user_id: int):
        """Read a staff member (admins)"""
        admins_only()
        return user_or_404(user_id)

    @blp.arguments(UserChangesSchema)
    @blp.response(200, UserSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, data: dict, user_id: int):
        """Change a staff member (admins)

        `active: false` switches them off: sessions, API tokens (kept, listed as revoked) and live
        Socket.IO connections end at once. Role and group changes apply to live connections at once.
        """
        admins_only()
        user = user_or_404(user_id)
        try:
            return accounts.update_user(user, actor(), **data)
        except StaffError as exc:
            db.session.rollback()
            _staff_error(exc)


def _token_of(user: User, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id) if 0 < token_id < 2**31 else None
    if token is None or token.user_id != user.id:
        abort(404, message=f"no token {token_id}")
    return token


@blp.route("/me/tokens")
class MyTokens(MethodView):
    @blp.response(200, TokenListSchema)
    def get(self):
        """List your API tokens (revoked ones too; never the secrets)"""
        return {"items": api_tokens.tokens_of(current_staff())}

    @blp.arguments(NewTokenSchema)
    @blp.response(201, CreatedTokenSchema)
    def post(self, data: dict):
        """Create an API token; `token` is the secret, shown in this answer only"""
        try:
            row, secret = api_tokens.create(current_staff(), data["name"], actor())
        except api_tokens.TokenError as exc:
            fail(422, "json", exc.field, str(exc).split(": ", 1)[-1])
        return Expanded(row, {"token": secret})


@blp.route("/me/tokens/<int:token_id>")
class MyToken(MethodView):
    @blp.response(200, TokenSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, token_id: int):
        """Revoke one of your API tokens (it stays listed, as revoked)"""
        return api_tokens.revoke(_token_of(current_staff(), token_id), actor())


@blp.route("/users/<int:user_id>/tokens")
class UserTokens(MethodView):
    @blp.response(200, TokenListSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, user_id: int):
        """List a staff member's API tokens (admins)"""
        admins_only()
        return {"items": api_tokens.tokens_of(user_or_404(user_id))}


@blp.route("/users/<int:user_id>/tokens/<int:token_id>")
class UserToken(MethodView):
    @blp.response(200, TokenSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, user_id: int, token_id: int):
        """Revoke a staff member's API token (admins)"""
        admins_only()
        return api_tokens.revoke(_token_of(user_or_404(user_id), token_id), actor())
