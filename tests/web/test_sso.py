"""Single sign-on against a real OpenID provider run by the test (oidc-provider-mock, on Authlib):
discovery, the authorization code flow, a signed ID token checked by Authlib; users matched by
verified e-mail, created only when allowed, role and groups from claims, switched-off refused."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import AuditEntry, User


@pytest.fixture(scope="module")
def provider():
    previous = os.environ.get("AUTHLIB_INSECURE_TRANSPORT")
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # the local provider speaks plain http
    from oidc_provider_mock import run_server_in_thread

    try:
        with run_server_in_thread() as server:
            yield f"http://localhost:{server.server_port}"
    finally:
        if previous is None:
            os.environ.pop("AUTHLIB_INSECURE_TRANSPORT", None)


@pytest.fixture
def app_config(app_config, provider):
    app_config.update(HELPDESK_OIDC_ISSUER=provider, HELPDESK_OIDC_CLIENT_ID="helpdesk",
                      HELPDESK_OIDC_CLIENT_SECRET="client-secret", HELPDESK_OIDC_ROLE_CLAIM="helpdesk_role",
                      HELPDESK_OIDC_GROUPS_CLAIM="groups")
    return app_config


def sso_sign_in(client, provider, sub: str, claims: dict):
    """Go through the provider as the person `sub` with `claims`; the helpdesk's final answer."""
    assert requests.put(f"{provider}/users/{sub}", json=claims, timeout=5).status_code == 204
    start = client.get("/login/sso")
    assert start.status_code == 302 and start.location.startswith(provider + "/oauth2/authorize")
    approved = requests.post(start.location, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert approved.status_code == 302, approved.text[:300]
    back = urlsplit(approved.headers["Location"])
    return client.get(f"{back.path}?{back.query}")


def test_the_sign_in_page_offers_single_sign_on(client):
    assert 'id="sso"' in client.get("/login").get_data(as_text=True)


def test_a_verified_address_signs_in_its_account_and_claims_set_role_and_groups(client, provider, make_user, groups):
    user = make_user(groups=("Support",))
    answer = sso_sign_in(client, provider, "u-1", {"email": user.email.upper(), "email_verified": True,
                                                  "helpdesk_role": "supervisor", "groups": ["Billing", "Nope"]})
    assert answer.status_code == 303 and answer.location.endswith("/tickets")
    assert client.get("/tickets").status_code == 200
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.role == "supervisor" and [g.name for g in user.groups] == ["Billing"]
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "auth.sign_in")).actor_id == user.id


def test_an_unverified_address_is_refused(client, provider, make_user, groups):
    user = make_user()
    answer = sso_sign_in(client, provider, "u-2", {"email": user.email, "email_verified": False})
    assert answer.status_code == 303 and answer.location.endswith("/login")
    assert client.get("/tickets").status_code == 302
    assert "not verified" in client.get("/login").get_data(as_text=True)


def test_an_unknown_address_needs_the_admins_permission(app, client, provider, groups):
    claims = {"email": "newcomer@company.example", "email_verified": True, "name": "New Comer"}
    assert sso_sign_in(client, provider, "u-3", claims).location.endswith("/login")
    assert db.session.scalar(select(User).where(User.email == "newcomer@company.example")) is None
    app.config["HELPDESK_OIDC_CREATE_USERS"] = True
    assert sso_sign_in(client, provider, "u-3", claims).location.endswith("/tickets")
    created = db.session.scalar(select(User).where(User.email == "newcomer@company.example"))
    assert (created.name, created.role, created.password_hash) == ("New Comer", "agent", None)


def test_a_switched_off_user_cannot_sign_in_through_the_provider(client, provider, make_user, groups):
    user = make_user()
    user.active = False
    db.session.commit()
    assert sso_sign_in(client, provider, "u-4", {"email": user.email, "email_verified": True}).location.endswith("/login")
    assert client.get("/tickets").status_code == 302


def test_a_forged_callback_is_refused(client, provider):
    client.get("/login/sso")
    answer = client.get("/login/sso/callback?code=made-up&state=made-up")
    assert answer.status_code == 303 and answer.location.endswith("/login")
    assert client.get("/tickets").status_code == 302


def test_a_second_factor_set_up_here_is_still_asked(client, provider, make_user, groups, login):
    import pyotp

    from helpdesk.services import audit
    from helpdesk.services.accounts import two_factor

    user = make_user()
    uri = two_factor.begin(user)
    totp = pyotp.parse_uri(uri)
    two_factor.confirm(user, totp.now(), audit.SYSTEM)
    answer = sso_sign_in(client, provider, "u-5", {"email": user.email, "email_verified": True})
    assert answer.location.endswith("/login/two-factor")
    assert client.get("/tickets").status_code == 302
