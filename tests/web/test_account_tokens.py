"""/account: each user names, creates (shown once) and revokes their own API tokens."""

from __future__ import annotations

import re

from helpdesk.services import staff


def test_a_token_is_shown_once_and_can_be_revoked(client, make_user, groups, login):
    user = make_user()
    login(user)
    created = client.post("/account/tokens", data={"name": "Reporting script"})
    assert created.status_code == 201
    secret = re.search(r"<code>(hd_[^<]+)</code>", created.get_data(as_text=True)).group(1)
    assert staff.user_for_token(secret).id == user.id
    page = client.get("/account").get_data(as_text=True)
    assert "Reporting script" in page and secret not in page
    token_id = staff.token_row(secret).id
    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 303
    assert staff.user_for_token(secret) is None
    assert "revoked" in client.get("/account").get_data(as_text=True)


def test_someone_elses_token_cannot_be_revoked_from_your_account(client, make_user, groups, login, token_for):
    other = make_user()
    secret = token_for(other)
    login(make_user())
    assert client.post(f"/account/tokens/{staff.token_row(secret).id}/revoke").status_code == 404
    assert staff.user_for_token(secret) is not None
