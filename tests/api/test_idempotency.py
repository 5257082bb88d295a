"""`Idempotency-Key` on every POST of the API: a client retrying after a dropped connection gets the
first answer again instead of sending the reply twice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from helpdesk.extensions import db
from helpdesk.models import Customer, IdempotencyKey, Message
from tests.api.helpers import ApiClient, errors_of


def outbound_count(ticket_id: int) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Message).where(
        Message.ticket_id == ticket_id, Message.kind == "outbound"))


def reply(api, ticket_id: int, key: str | None, body: str = "We refunded you."):
    headers = {"Idempotency-Key": key} if key else {}
    return api.post(f"/tickets/{ticket_id}/replies", json={"body": body}, headers=headers)


def test_a_retried_reply_is_sent_once_and_answered_as_the_first_time(api, inbound):
    ticket_id = inbound().ticket_id
    first = reply(api, ticket_id, "retry-7f3a")
    assert first.status_code == 201, first.get_json()
    again = reply(api, ticket_id, "retry-7f3a")
    assert (again.status_code, again.get_json()) == (201, first.get_json())
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert outbound_count(ticket_id) == 1
    assert reply(api, ticket_id, "another-key").status_code == 201 and outbound_count(ticket_id) == 2
    assert reply(api, ticket_id, None).status_code == 201 and outbound_count(ticket_id) == 3  # no key: no memory


def test_the_same_key_with_another_body_is_refused_and_changes_nothing(api, inbound):
    ticket_id = inbound().ticket_id
    assert reply(api, ticket_id, "k1").status_code == 201
    response = reply(api, ticket_id, "k1", body="Something else entirely")
    assert response.status_code == 422
    assert "different request" in errors_of(response, "headers")["Idempotency-Key"][0]
    other_ticket = inbound(email="other@example.com").ticket_id
    assert reply(api, other_ticket, "k1").status_code == 422  # same body, another path: another request
    assert outbound_count(ticket_id) == 1 and outbound_count(other_ticket) == 0


def test_keys_belong_to_one_user(api, api_as, make_user, inbound):
    ticket_id = inbound().ticket_id
    colleague = api_as(make_user(groups=("Support",)))
    assert reply(api, ticket_id, "shared-name").status_code == 201
    assert reply(colleague, ticket_id, "shared-name").status_code == 201
    assert outbound_count(ticket_id) == 2


def test_a_refusal_is_replayed_too_and_a_bad_key_is_refused(api, inbound, row_counts):
    ticket_id = inbound().ticket_id
    first = reply(api, ticket_id, "empty", body="")
    assert first.status_code == 422
    assert reply(api, ticket_id, "empty", body="").get_json() == first.get_json()
    before = row_counts()
    for bad in ("x" * 256, "has space", "ключ"):
        response = api.post(f"/tickets/{ticket_id}/replies", json={"body": "hi"},
                            headers={"Idempotency-Key": bad.encode().decode("latin-1")})
        assert response.status_code == 422 and "Idempotency-Key" in errors_of(response, "headers")
    assert row_counts() == before


def test_a_request_still_running_is_not_run_again(api, agent, inbound):
    ticket_id = inbound().ticket_id
    first = reply(api, ticket_id, "slow")
    db.session.execute(update(IdempotencyKey).values(status_code=None, body=None))  # as if still running
    db.session.commit()
    response = reply(api, ticket_id, "slow")
    assert response.status_code == 409 and "still being processed" in errors_of(response, "headers")["Idempotency-Key"][0]
    assert first.status_code == 201 and outbound_count(ticket_id) == 1


def test_a_key_is_remembered_for_a_day_in_the_database_for_every_process(api, app, app_config, token_for, agent, inbound):
    from helpdesk import create_app

    ticket_id = inbound().ticket_id
    first = reply(api, ticket_id, "day-old")
    other_process = create_app(app_config)  # another web process on the same database
    with other_process.app_context():
        elsewhere = ApiClient(other_process.test_client(), api.headers["Authorization"].split()[1])
        again = reply(elsewhere, ticket_id, "day-old")
        assert (again.status_code, again.get_json()) == (201, first.get_json())
        db.session.remove()
    assert outbound_count(ticket_id) == 1
    db.session.execute(update(IdempotencyKey).values(created_at=IdempotencyKey.created_at - timedelta(hours=25)))
    db.session.commit()
    assert reply(api, ticket_id, "day-old").status_code == 201 and outbound_count(ticket_id) == 2


def test_every_post_takes_a_key_creating_a_customer_once(api):
    payload = {"name": "Once", "identities": [{"kind": "email", "address": "once@example.com"}]}
    headers = {"Idempotency-Key": "create-once"}
    first = api.post("/customers", json=payload, headers=headers)
    again = api.post("/customers", json=payload, headers=headers)
    assert first.status_code == again.status_code == 201 and again.get_json() == first.get_json()
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 1


def test_every_post_of_the_api_goes_through_the_idempotency_hooks(app):
    from helpdesk.api.auth import ProtectedBlueprint

    protected = {name for name, blueprint in app.blueprints.items() if isinstance(blueprint, ProtectedBlueprint)}
    posts = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/") and "POST" in rule.methods]
    assert len(posts) > 10
    assert [rule.rule for rule in posts if rule.endpoint.split(".")[0] not in protected] == []


def test_a_stored_answer_shows_no_secret_in_the_database(api, agent):
    response = api.post("/me/tokens", json={"name": "deploy"}, headers={"Idempotency-Key": "token-once"})
    assert response.status_code == 201, response.get_json()
    secret = response.get_json()["token"]
    again = api.post("/me/tokens", json={"name": "deploy"}, headers={"Idempotency-Key": "token-once"})
    assert again.get_json() == response.get_json()
    row = db.session.scalars(select(IdempotencyKey)).one()
    assert secret.encode() not in row.body and b"deploy" not in row.body
