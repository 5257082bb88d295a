"""Two-factor sign-in: enrol with a QR code and a first code, sign in with a code or a recovery
code (each once), remembered devices, roles that must use it, an admin's reset."""

from __future__ import annotations

import re
import time

import pyotp
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import AuditEntry, User

PASSWORD = "correct horse battery"


def enrol(client, user) -> tuple[pyotp.TOTP, list[str]]:
    """Enrol `user` (signed in on `client`): the TOTP and the recovery codes."""
    client.post("/account/two-factor/begin")
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page
    totp = pyotp.TOTP(re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1))
    assert client.post("/account/two-factor/confirm", data={"code": "000000"}).status_code == 303
    done = client.post("/account/two-factor/confirm", data={"code": totp.now()})
    assert done.status_code == 201
    codes = re.findall(r"<li><code>([0-9a-f-]+)</code></li>", done.get_data(as_text=True))
    return totp, codes


def next_code(totp: pyotp.TOTP) -> str:
    """The code of the next 30-second step (accepted: one step of drift), so a test need not wait."""
    return totp.at(time.time() + totp.interval)


def password_step(client, user):
    return client.post("/login", data={"email": user.email, "password": PASSWORD})


def test_enrol_then_sign_in_needs_a_code_that_works_once(app, client, make_user, groups, login):
    user = make_user()
    login(user)
    totp, codes = enrol(client, user)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.two_factor_on")).target_id == user.id
    fresh = app.test_client()
    first = password_step(fresh, user)
    assert first.status_code == 303 and first.location.endswith("/login/two-factor")
    assert fresh.get("/tickets").status_code == 302  # not signed in yet
    assert fresh.post("/login/two-factor", data={"code": "123456"}).status_code == 401
    code = next_code(totp)
    assert fresh.post("/login/two-factor", data={"code": code}).status_code == 303
    assert fresh.get("/tickets").status_code == 200
    again = app.test_client()
    password_step(again, user)
    assert again.post("/login/two-factor", data={"code": code}).status_code == 401  # replayed


def test_a_recovery_code_signs_in_once(app, client, make_user, groups, login):
    user = make_user()
    login(user)
    _, codes = enrol(client, user)
    for expected in (303, 401):
        other = app.test_client()
        password_step(other, user)
        assert other.post("/login/two-factor", data={"code": codes[0].upper()}).status_code == expected
    db.session.expire_all()
    assert len(db.session.get(User, user.id).totp_recovery) == 9


def test_too_many_wrong_codes_send_you_back_to_the_password(app, make_user, groups, login, client):
    user = make_user()
    login(user)
    enrol(client, user)
    other = app.test_client()
    password_step(other, user)
    for _ in range(4):
        assert other.post("/login/two-factor", data={"code": "000000"}).status_code == 401
    assert other.post("/login/two-factor", data={"code": "000000"}).status_code == 303
    assert other.get("/login/two-factor").status_code == 303


def test_a_remembered_device_skips_the_code_until_the_factor_is_reset(app, client, make_user, groups, login):
    user, admin = make_user(), make_user(role="admin")
    login(user)
    totp, _ = enrol(client, user)
    device = app.test_client()
    password_step(device, user)
    answer = device.post("/login/two-factor", data={"code": next_code(totp), "remember": "1"})
    cookie = answer.headers["Set-Cookie"]
    assert "hd_device=" in cookie and "HttpOnly" in cookie and "Max-Age=2592000" in cookie
    device.post("/logout")
    assert password_step(device, user).status_code == 302  # straight in
    device.post("/logout")
    admin_client = app.test_client()
    admin_client.post("/login", data={"email": admin.email, "password": PASSWORD})
    assert admin_client.post(f"/admin/users/{user.id}/two-factor/reset").status_code == 303
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.two_factor_reset")).actor_id == admin.id
    client.post("/logout")
    login(user)
    enrol(client, user)  # enrolled again: the old remembered device no longer counts
    assert password_step(device, user).status_code == 303


def test_roles_an_admin_chooses_must_enrol_before_anything_else(app, client, make_user, groups, login, token_for):
    admin, agent = make_user(role="admin"), make_user()
    admin_client = app.test_client()
    admin_client.post("/login", data={"email": admin.email, "password": PASSWORD})
    assert 'value="admin" checked' in admin_client.get("/admin/users").get_data(as_text=True)  # suggested
    admin_client.post("/admin/users/two-factor-roles", data={"roles": ["agent"]})
    login(agent)
    blocked = client.get("/tickets")
    assert blocked.status_code == 303 and blocked.location.endswith("/account/two-factor")
    assert client.post("/account/two-factor/off", data={"password": PASSWORD}).status_code == 303
    token = token_for(agent)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    enrol(client, agent)
    assert client.get("/tickets").status_code == 200
    client.post("/account/two-factor/off", data={"password": PASSWORD})
    db.session.expire_all()
    assert db.session.get(User, agent.id).totp_enabled  # the role needs it: it stays on
