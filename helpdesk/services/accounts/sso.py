"""Single sign-on with OpenID Connect: which staff member a provider's verified claims are.

The protocol (discovery, the authorization code flow, the ID token's signature, issuer, audience,
expiry and nonce) is Authlib's, in helpdesk.web.sso; this module only decides who signs in. A user
is matched by their e-mail address, and only when the provider says it is verified; an unknown
address gets an account (with the default role) only when the admin allows it. Role and groups may
follow claims the admin names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Group, User
from helpdesk.models.staff import ROLES
from helpdesk.services import audit
from helpdesk.services.accounts import users as accounts
from helpdesk.services.staff import StaffError, new_user


class SsoRefused(ValueError):
    """The provider's answer does not let anyone sign in; the message says why (shown to the user)."""


@dataclass(frozen=True)
class SsoRules:
    """What the admin configured: create unknown users (with `default_role`), and the claims that
    carry a role and group names (None: roles and groups are managed here)."""

    create_users: bool = False
    default_role: str = "agent"
    role_claim: str | None = None
    groups_claim: str | None = None
    role_map: dict = field(default_factory=dict)


def _claimed_groups(claims: dict, rules: SsoRules) -> list[str] | None:
    if not rules.groups_claim or rules.groups_claim not in claims:
        return None
    value = claims[rules.groups_claim]
    names = [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
    known = set(db.session.scalars(select(Group.name).where(Group.name.in_(names)))) if names else set()
    return [n for n in names if n in known]  # groups are made here, never by a provider's claim


def _claimed_role(claims: dict, rules: SsoRules) -> str | None:
    if not rules.role_claim or rules.role_claim not in claims:
        return None
    role = claims[rules.role_claim]
    return role if isinstance(role, str) and role in ROLES else None


def sign_in(claims: dict, rules: SsoRules, actor: audit.Actor) -> User:
    """The staff member these validated ID-token claims identify, created or updated as the rules
    say; raises SsoRefused. Commits what it changes."""
    email = claims.get("email")
    if not isinstance(email, str) or not email.strip():
        raise SsoRefused("the provider did not send an e-mail address")
    if claims.get("email_verified") is not True:
        raise SsoRefused("the provider has not verified this e-mail address")
    user = accounts.find(email)
    role, groups = _claimed_role(claims, rules), _claimed_groups(claims, rules)
    if user is None:
        if not rules.create_users:
            raise SsoRefused("there is no helpdesk account for this address; ask an admin to invite you")
        name = claims.get("name") if isinstance(claims.get("name"), str) and claims["name"].strip() else email
        try:
            user = new_user(email=email, name=name[:200], role=role or rules.default_role, password=None)
        except StaffError as exc:
            raise SsoRefused(str(exc)) from None
        user.groups = list(db.session.scalars(select(Group).where(Group.name.in_(groups or []))))
        db.session.add(user)
        db.session.flush()
        audit.record(actor, "user.create", "user", user.id, after={"email": user.email, **accounts.describe(user)},
                     source="sso", subject=str(claims.get("sub", ""))[:200])
        db.session.commit()
        return user
    if not user.active:
        raise SsoRefused("this account is switched off")
    changes = {k: v for k, v in (("role", role), ("groups", groups)) if v is not None}
    if changes:
        try:
            accounts.update_user(user, actor, **changes)
        except StaffError:
            db.session.rollback()  # the last admin stays an admin whatever the provider says
    return user
