"""Passwords: change your own (current one required, other sessions end), reset by an e-mailed
link (single use, one hour, the same answer for known and unknown addresses, rate limited), and
the rules (12 characters, not a common password)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from helpdesk.extensions import db
from helpdesk.models import AccountLink, AuditEntry
from helpdesk.services import staff
from helpdesk.services.accounts import passwords
from tests.support import mailed_path

OLD = "correct horse battery"
NEW = "a new and long passphrase"


def signed_in(app, user, password=OLD):
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": password}).status_code == 302
    return client


@pytest.mark.parametrize(("password", "why"), [("eleven char", "at least 12"), ("Password1234", "common"),
                                               (" qwertyuiopasdf ", "common"), ("x" * 1025, "at most")])
def test_the_rules_refuse_short_and_common_passwords(password, why):
    with pytest.raises(passwords.PasswordRejected, match=why):
        passwords.check(password)


def test_a_long_uncommon_password_passes():
    passwords.check("tea on the balcony at dawn")


def test_changing_your_own_needs_the_current_one_and_ends_the_other_sessions(app, make_user, groups):
    user = make_user()
    here, elsewhere = signed_in(app, user), signed_in(app, user)
    wrong = here.post("/account/password", data={"current_password": "not it at all", "new_password": NEW,
                                                 "confirm": NEW}, follow_redirects=True)
    assert "current password is wrong" in wrong.get_data(as_text=True)
    assert staff.authenticate(user.email, OLD) is not None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.password_change_failed"))
    weak = here.post("/account/password", data={"current_password": OLD, "new_password": "password1234",
                                                "confirm": "password1234"}, follow_redirects=True)
    assert "common" in weak.get_data(as_text=True)
    done = here.post("/account/password", data={"current_password": OLD, "new_password": NEW, "confirm": NEW})
    assert done.status_code == 303
    assert here.get("/account").status_code == 200  # this session carries on
    assert elsewhere.get("/account").status_code == 302  # the other one was signed out
    assert staff.authenticate(user.email, NEW) is not None and staff.authenticate(user.email, OLD) is None


def test_a_reset_link_works_once_and_the_answer_is_the_same_for_unknown_addresses(app, client, make_user, groups,
                                                                                 smtp_server):
    user = make_user()
    known = client.post("/account/forgot", data={"email": user.email.upper()}, follow_redirects=True)
    unknown = client.post("/account/forgot", data={"email": "nobody@staff.example"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True) == unknown.get_data(as_text=True)
    assert len(smtp_server.messages) == 1 and smtp_server.messages[0].rcpt_tos == [user.email]
    path = mailed_path(smtp_server.messages[0].content, "/account/reset/")
    assert client.post(path, data={"password": NEW, "confirm": "something else"}).status_code == 422
    assert client.post(path, data={"password": NEW, "confirm": NEW}).status_code == 303
    assert client.post(path, data={"password": "yet another long one", "confirm": "yet another long one"}).status_code == 410
    assert staff.authenticate(user.email, NEW) is not None


def test_a_reset_link_expires_after_an_hour_and_ends_sessions(app, client, make_user, groups, smtp_server):
    user = make_user()
    session = signed_in(app, user)
    client.post("/account/forgot", data={"email": user.email})
    path = mailed_path(smtp_server.messages[-1].content, "/account/reset/")
    link = db.session.scalar(select(AccountLink))
    assert link.expires_at - link.created_at == timedelta(hours=1)
    an_hour_ago = link.created_at - timedelta(hours=1, seconds=1)  # as if it had been sent an hour ago
    db.session.execute(update(AccountLink).values(created_at=an_hour_ago, expires_at=an_hour_ago + timedelta(hours=1)))
    db.session.commit()
    assert client.get(path).status_code == 410
    client.post("/account/forgot", data={"email": user.email})
    fresh = mailed_path(smtp_server.messages[-1].content, "/account/reset/")
    assert client.post(fresh, data={"password": NEW, "confirm": NEW}).status_code == 303
    assert session.get("/account").status_code == 302


def test_reset_mails_are_limited_per_account(app, client, make_user, groups, smtp_server):
    user = make_user()
    for _ in range(5):
        assert client.post("/account/forgot", data={"email": user.email}).status_code == 303
    assert len(smtp_server.messages) == 3


@pytest.fixture
def rate_limits_on(app_config):
    app_config["RATELIMIT_ENABLED"] = True


def test_reset_requests_are_limited_per_address(rate_limits_on, app, groups):
    from helpdesk.extensions import limiter

    limiter.reset()
    client = app.test_client()
    codes = [client.post("/account/forgot", data={"email": f"x{i}@staff.example"}).status_code for i in range(6)]
    assert codes[:5] == [303] * 5 and codes[5] == 429
