"""API tokens are checked from a per-process cache (services.staff.user_for_token) that a change
of access voids at once: the next request after a revocation, a switch-off or a change of groups
is judged on the new state, in this process and (through the settings token) in any other."""

from __future__ import annotations

from sqlalchemy import select, update

from helpdesk.extensions import db
from helpdesk.models import ApiToken, SettingsRevision, User
from helpdesk.models.base import utcnow
from helpdesk.services import staff
from helpdesk.services.accounts import users as user_accounts


def _cached(token: str) -> bool:
    return staff._hash_token(token) in staff._known


def test_a_token_is_checked_from_the_cache_after_its_first_use(api_as, agent):
    api = api_as(agent)
    assert api.get("/tickets").status_code == 200
    assert _cached(api.headers["Authorization"].split()[1])
    assert api.get("/tickets").status_code == 200 and api.get("/me").get_json()["id"] == agent.id


def test_revoking_a_token_denies_the_next_request(api, agent):
    assert api.get("/tickets").status_code == 200  # cached now
    token_id = api.get("/me/tokens").get_json()["items"][0]["id"]
    assert api.delete(f"/me/tokens/{token_id}").status_code == 200
    assert api.get("/tickets").status_code == 401


def test_switching_a_user_off_denies_their_next_request(api_as, agent, make_user):
    api, admin = api_as(agent), api_as(make_user(role="admin"))
    assert api.get("/tickets").status_code == 200
    assert admin.patch(f"/users/{agent.id}", json={"active": False}).status_code == 200
    assert api.get("/tickets").status_code == 401


def test_a_change_of_groups_applies_to_the_next_request(api_as, agent, groups, inbound):
    billing = inbound(email="b@example.com", group_hint="Billing").ticket_id
    api = api_as(agent)
    assert billing not in [t["id"] for t in api.get("/tickets").get_json()["items"]]
    user_accounts.update_user(agent, None, groups=["Support", "Billing"])
    assert billing in [t["id"] for t in api.get("/tickets").get_json()["items"]]
    user_accounts.update_user(agent, None, groups=["Support"])
    assert api.get(f"/tickets/{billing}").status_code == 404


def test_a_revocation_by_another_process_denies_the_next_request(api, agent):
    token = api.headers["Authorization"].split()[1]
    assert api.get("/tickets").status_code == 200 and _cached(token)
    db.session.rollback()
    # Another process revokes it through the ORM: its flush writes a new settings token, committed together.
    with db.engine.begin() as other:
        other.execute(update(ApiToken.__table__).where(ApiToken.__table__.c.token_hash == staff._hash_token(token))
                      .values(revoked_at=utcnow()))
        other.execute(update(SettingsRevision.__table__).values(token="revoked-by-another-process"))
    assert api.get("/tickets").status_code == 401


def test_revoking_through_the_orm_renews_the_settings_token(app, agent, token_for):
    token = token_for(agent)
    before = db.session.scalar(select(SettingsRevision.token))
    staff.token_row(token).revoked_at = utcnow()
    db.session.commit()
    assert db.session.scalar(select(SettingsRevision.token)) != before
    assert staff.user_for_token(token) is None


def test_a_change_made_without_the_orm_lapses_with_the_cache(api, agent, monkeypatch):
    token = api.headers["Authorization"].split()[1]
    assert api.get("/tickets").status_code == 200
    db.session.rollback()
    with db.engine.begin() as other:  # no new settings token: only the entry's age bounds it
        other.execute(update(User.__table__).where(User.__table__.c.id == agent.id).values(active=False))
    db.session.rollback()  # the test's own snapshot
    assert api.get("/tickets").status_code == 200  # within the entry's life: still let in
    now = staff._clock()
    monkeypatch.setattr(staff, "_clock", lambda: now + staff.TOKEN_CACHE_SECONDS + 1)
    assert api.get("/tickets").status_code == 401
    assert staff.user_for_token(token) is None


def test_signing_in_and_using_a_token_keep_the_settings_token(app, agent, token_for, client):
    token = token_for(agent)
    before = db.session.scalar(select(SettingsRevision.token))
    assert staff.user_for_token(token, "192.0.2.1").id == agent.id  # writes last_used_at / last_used_ip
    agent.last_login_at = utcnow()
    db.session.commit()
    assert db.session.scalar(select(SettingsRevision.token)) == before
