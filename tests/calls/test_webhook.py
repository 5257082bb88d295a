"""The CTI webhook: signatures over the raw body, field validation with clear 4xx errors, and
each event stored once per call, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import Call, CallEvent, Customer, Identity, Ticket
from tests.calls.conftest import SECRET

RINGING = {"event": "ringing", "call_id": "1733570000.42", "from": "612 345 678", "to": "+34 910 000 111",
           "queue": "support"}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("case", ["wrong secret", "missing header", "body changed", "garbage"])
def test_a_bad_signature_is_refused_and_nothing_is_stored(post_event, case):
    body = json.dumps(RINGING).encode()
    if case == "wrong secret":
        response = post_event(RINGING, secret="not-the-shared-secret")
    elif case == "missing header":
        response = post_event(RINGING, header="")
    elif case == "body changed":
        signed = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        response = post_event(raw=body.replace(b"612", b"699"), header=signed)
    else:
        response = post_event(RINGING, header="sha256=zz")
    assert response.status_code == 403
    assert _count(Call) == 0 and _count(CallEvent) == 0 and _count(Customer) == 0


@pytest.mark.parametrize("spelling", ["prefixed", "bare hex", "upper case"])
def test_the_signature_may_be_bare_hex_or_prefixed_in_any_case(post_event, spelling):
    body = json.dumps(RINGING).encode()
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    header = {"prefixed": "sha256=" + digest, "bare hex": digest, "upper case": "SHA256=" + digest.upper()}[spelling]
    response = post_event(raw=body, header=header)
    assert response.status_code == 200, response.get_json()


def test_unknown_account_is_not_found(post_event):
    assert post_event(RINGING, to=999).status_code == 404


def test_ringing_matches_the_caller_by_e164_phone_identity(post_event, app):
    from helpdesk.services import customers

    known = customers.create_customer(name="Lucía Pérez", identities=[("phone", "+34612345678")])
    response = post_event(RINGING)
    assert response.status_code == 200
    call = db.session.get(Call, response.get_json()["call_id"])
    assert call.customer_id == known.id and call.from_number == "+34612345678" and call.to_number == "+34910000111"
    assert call.state == "ringing" and call.queue == "support"


def test_an_unknown_caller_becomes_a_new_customer_with_a_phone_identity(post_event):
    response = post_event(dict(RINGING, **{"from": "0044 20 7946 0958"}))
    call = db.session.get(Call, response.get_json()["call_id"])
    identity = db.session.scalars(select(Identity).where(Identity.customer_id == call.customer_id)).one()
    assert (identity.kind, identity.address) == ("phone", "+442079460958")


def test_a_withheld_number_rings_without_a_customer(post_event):
    response = post_event(dict(RINGING, **{"from": "anonymous"}))
    assert response.status_code == 200
    assert db.session.get(Call, response.get_json()["call_id"]).customer_id is None and _count(Customer) == 0


def test_the_queue_picks_the_group(post_event, groups):
    support, billing = groups
    rang = post_event(dict(RINGING, queue="billing")).get_json()
    assert db.session.get(Call, rang["call_id"]).group_id == billing.id
    other = post_event(dict(RINGING, call_id="2", queue="nowhere")).get_json()
    assert db.session.get(Call, other["call_id"]).group_id == support.id  # the account's phone group


def test_each_event_is_stored_once_per_call(post_event):
    first = post_event(RINGING).get_json()
    again = post_event(RINGING).get_json()
    assert first["duplicate"] is False and again["duplicate"] is True and again["call_id"] == first["call_id"]
    post_event({"event": "answered", "call_id": RINGING["call_id"], "agent": "201"})
    post_event({"event": "answered", "call_id": RINGING["call_id"], "agent": "201"})
    assert _count(Call) == 1 and _count(CallEvent) == 2 and _count(Customer) == 1


def test_answered_and_ended_record_the_agent_and_the_handle_time(post_event, app):
    post_event(RINGING)
    post_event({"event": "answered", "call_id": RINGING["call_id"], "agent": "201"})
    ended = post_event({"event": "ended", "call_id": RINGING["call_id"], "duration": 95, "cause": "normal"}).get_json()
    call = db.session.get(Call, ended["call_id"])
    assert call.state == "completed" and call.agent.email == "ana@staff.example" and call.talk_seconds == 95
    assert ended["ticket_id"] is None and _count(Ticket) == 0  # an answered call is logged by the agent


def test_events_out_of_order_make_the_same_call(post_event):
    post_event({"event": "ended", "call_id": "x-1", "duration": 0, "cause": "abandoned"})
    response = post_event(dict(RINGING, call_id="x-1"))
    call = db.session.get(Call, response.get_json()["call_id"])
    assert call.state == "abandoned" and call.from_number == "+34612345678"


@pytest.mark.parametrize(("payload", "status", "field"), [
    ({"call_id": "1", "from": "+34612345678"}, 422, "event"),
    ({"event": "hangup", "call_id": "1"}, 422, "event"),
    ({"event": "ringing", "from": "+34612345678"}, 422, "call_id"),
    ({"event": "ringing", "call_id": "a b", "from": "+34612345678"}, 422, "call_id"),
    ({"event": "ringing", "call_id": "1"}, 422, "from"),
    ({"event": "ringing", "call_id": "1", "from": "call me"}, 422, "from"),
    ({"event": "ringing", "call_id": "1", "from": "+34612345678", "queue": "x" * 101}, 422, "queue"),
    ({"event": "ringing", "call_id": "1", "from": "+34612345678", "at": "yesterday"}, 422, "at"),
    ({"event": "answered", "call_id": "1"}, 422, "agent"),
    ({"event": "answered", "call_id": "1", "agent": "not an agent!"}, 422, "agent"),
    ({"event": "ended", "call_id": "1"}, 422, "duration"),
    ({"event": "ended", "call_id": "1", "duration": -3}, 422, "duration"),
    ({"event": "ended", "call_id": "1", "duration": 10, "cause": "gremlins"}, 422, "cause"),
    ({"event": "voicemail", "call_id": "1"}, 422, "recording_url"),
    ({"event": "voicemail", "call_id": "1", "recording_url": "file:///etc/passwd"}, 422, "recording_url"),
    ([1, 2], 400, "body"),
], ids=lambda v: str(v)[:40])
def test_every_field_is_validated_with_a_clear_error(post_event, payload, status, field):
    response = post_event(payload)
    assert response.status_code == status
    assert response.get_json()["field"] == field and response.get_json()["error"]
    assert _count(Call) == 0


def test_a_body_that_is_not_json_is_a_400(post_event):
    response = post_event(raw=b"event=ringing")
    assert response.status_code == 400 and response.get_json()["field"] == "body"


def test_add_cti_prints_the_webhook_url(app, groups):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["channels", "add-cti", "front-desk", "--secret-stdin", "--group", "Billing"],
                           input="a-long-enough-shared-secret\n")
    assert result.exit_code == 0, result.output
    assert "/webhooks/cti/" in result.output
    refused = runner.invoke(args=["channels", "add-cti", "other", "--secret-stdin", "--group", "Nope"],
                            input="a-long-enough-shared-secret\n")
    assert refused.exit_code != 0 and "no group named" in refused.output


def test_the_channels_admin_page_lists_the_phone_system_and_its_webhook(client, login, make_user, cti_account):
    login(make_user(role="admin", groups=()))
    page = client.get("/admin/channels/").get_data(as_text=True)
    assert f'id="cti-{cti_account.id}"' in page and f"/webhooks/cti/{cti_account.id}" in page
    assert "201 → ana@staff.example" in page and "billing → Billing" in page
    login(make_user())
    assert client.get("/admin/channels/").status_code == 404  # admin pages do not exist for agents
