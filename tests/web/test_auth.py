"""Signing in and out of the console, and the protections around it."""

from __future__ import annotations

import re

import pytest

from helpdesk.extensions import db


def test_pages_need_a_signed_in_user(client):
    response = client.get("/tickets/1")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": "wrong password!"})
    assert response.status_code == 401
    assert "Wrong e-mail or password" in response.get_data(as_text=True)
    unknown = client.post("/login", data={"email": "nobody@example.com", "password": "wrong password!"})
    assert unknown.status_code == 401


def test_sign_in_starts_a_fresh_session_and_only_redirects_on_site(client, make_user):
    user = make_user()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    response = client.post("/login", data={"email": user.email, "password": "correct horse battery",
                                           "next": "https://evil.example/phish"})
    assert response.status_code == 302 and response.location == "/tickets"
    with client.session_transaction() as session:
        assert "planted" not in session
    client.post("/logout")
    response = client.post("/login", data={"email": user.email, "password": "correct horse battery",
                                           "next": "/customers"})
    assert response.location == "/customers"
    for bad in ("//evil.example", "/\\evil.example", "javascript:alert(1)"):
        client.post("/logout")
        response = client.post("/login", data={"email": user.email, "password": "correct horse battery", "next": bad})
        assert response.location == "/tickets", bad


def test_sign_out_kills_every_copy_of_the_session(app, make_user, login, client):
    user = make_user()
    login(user)
    with client.session_transaction() as session:
        stolen = dict(session)
    client.post("/logout")
    thief = app.test_client()
    with thief.session_transaction() as session:
        session.update(stolen)
    assert thief.get("/tickets").status_code == 302
    db.session.refresh(user)


def test_security_headers_and_cookie_flags(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": "correct horse battery"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/tickets")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"


@pytest.fixture
def csrf_client(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app.test_client()


def test_forms_without_the_csrf_token_are_refused(csrf_client, make_user):
    user = make_user()
    refused = csrf_client.post("/login", data={"email": user.email, "password": "correct horse battery"})
    assert refused.status_code == 400
    form = csrf_client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    accepted = csrf_client.post("/login", data={"email": user.email, "password": "correct horse battery",
                                                "csrf_token": token})
    assert accepted.status_code == 302


@pytest.fixture
def rate_limits_on(app_config):
    app_config["RATELIMIT_ENABLED"] = True


def test_login_attempts_are_rate_limited(rate_limits_on, app, make_user):
    from helpdesk.extensions import limiter

    limiter.reset()
    client = app.test_client()
    user = make_user()
    codes = [client.post("/login", data={"email": user.email, "password": "wrong password!"}).status_code
             for _ in range(11)]
    assert codes[:10] == [401] * 10 and codes[10] == 429


def sign_in(app, user, password="correct horse battery", address="192.0.2.10"):
    client = app.test_client()
    return client.post("/login", data={"email": user.email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_an_office_signing_in_from_one_address_is_never_limited(rate_limits_on, app, make_user):
    from helpdesk.extensions import limiter

    limiter.reset()
    office = [make_user() for _ in range(11)]
    assert sign_in(app, office[0], password="typo in it").status_code == 401  # one typo on the way
    for _ in range(3):  # shift start, a break, coming back: successful sign-ins never count
        assert [sign_in(app, agent).status_code for agent in office] == [302] * 11


def test_failures_lock_the_address_with_a_message_in_the_login_page(rate_limits_on, app, make_user):
    from helpdesk.extensions import limiter

    limiter.reset()
    users = [make_user() for _ in range(11)]
    assert [sign_in(app, u, password="guessing!").status_code for u in users[:10]] == [401] * 10
    locked = sign_in(app, users[10])  # even the right password waits: the address is locked
    page = locked.get_data(as_text=True)
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert "Too many failed sign-ins" in page and 'name="password"' in page  # the sign-in form, in
    assert "<main>" in page and "<title>Sign in" in page  # the console's own layout, not a bare error
    assert sign_in(app, users[10], address="192.0.2.99").status_code == 302  # another address is unaffected


def test_failures_lock_the_account_whatever_the_address(rate_limits_on, app, make_user):
    from helpdesk.extensions import limiter

    limiter.reset()
    target, colleague = make_user(), make_user()
    codes = [sign_in(app, target, password="guessing!", address=f"198.51.100.{n}").status_code for n in range(10)]
    assert codes == [401] * 10
    locked = sign_in(app, target, address="203.0.113.7")
    assert locked.status_code == 429 and "Too many failed sign-ins" in locked.get_data(as_text=True)
    assert sign_in(app, colleague, address="203.0.113.7").status_code == 302
