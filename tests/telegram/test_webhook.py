"""Webhook mode: Telegram POSTs updates with its secret token; 200 only after the commit."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import Message, Ticket
from helpdesk.services.channel_accounts import account_secrets
from helpdesk.services.telegram import bots as telegram_bots
from tests.telegram import updates
from tests.telegram.bot_api_server import TOKEN

HEADER = "X-Telegram-Bot-Api-Secret-Token"


@pytest.fixture
def hooked(app, bot_api, groups):
    """A bot in webhook mode, and the secret token Telegram was given for it."""
    account = telegram_bots.add_bot(name="hooked", token=TOKEN, api_url=bot_api.url,
                                    webhook_url="https://help.example.com")
    return account, account_secrets(account)["webhook_secret"]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_adding_a_bot_with_a_webhook_url_registers_it_with_its_secret(hooked, bot_api):
    account, secret = hooked
    assert bot_api.webhook == {"url": f"https://help.example.com/webhooks/telegram/{account.id}",
                               "secret_token": secret, "allowed_updates": ["message", "edited_message", "callback_query"]}
    assert account.settings["mode"] == "webhook" and len(secret) >= 32


def test_an_update_with_the_right_secret_is_stored_once_however_often_it_comes(hooked, client):
    account, secret = hooked
    update = {"update_id": 5001, **updates.text("Where is my refund?")}
    for _ in range(3):
        response = client.post(f"/webhooks/telegram/{account.id}", json=update, headers={HEADER: secret})
        assert response.status_code == 200
    assert response.get_json() == {"ok": True, "duplicate": True}
    assert count(Message) == 1 and db.session.scalar(select(Ticket.subject)) == "Where is my refund?"


@pytest.mark.parametrize("headers", [{}, {HEADER: ""}, {HEADER: "not-the-secret"}], ids=["missing", "empty", "wrong"])
def test_a_wrong_or_missing_secret_is_refused_and_nothing_stored(hooked, client, headers):
    account, _ = hooked
    response = client.post(f"/webhooks/telegram/{account.id}", json={"update_id": 1, **updates.text("hi")},
                           headers=headers)
    assert response.status_code == 403 and count(Message) == 0


def test_another_bots_secret_does_not_open_this_bot(hooked, client, bot_api):
    account, secret = hooked
    response = client.post(f"/webhooks/telegram/{account.id + 1}", json=updates.text("hi"), headers={HEADER: secret})
    assert response.status_code == 404 and count(Message) == 0


def test_a_crash_before_commit_answers_an_error_and_the_retry_is_stored(hooked, client, monkeypatch):
    from helpdesk.services.telegram import inbound as telegram_inbound

    account, secret = hooked
    update = {"update_id": 5002, **updates.text("second try works")}
    real_ingest = telegram_inbound.ingest
    monkeypatch.setattr(telegram_inbound, "ingest", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("db gone")))
    client.application.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.post(f"/webhooks/telegram/{account.id}", json=update, headers={HEADER: secret}).status_code == 500
    assert count(Message) == 0
    monkeypatch.setattr(telegram_inbound, "ingest", real_ingest)
    assert client.post(f"/webhooks/telegram/{account.id}", json=update, headers={HEADER: secret}).status_code == 200
    assert count(Message) == 1


def test_a_file_telegram_cannot_serve_now_answers_503_so_telegram_retries(hooked, client, bot_api):
    account, secret = hooked
    bot_api.add_file("DOC7", b"%PDF-1.7", "documents/file_7.pdf")
    bot_api.fail("getFile", 500, "Internal Server Error")
    update = {"update_id": 5003, **updates.document("DOC7", "contract.pdf", "application/pdf", 8)}
    assert client.post(f"/webhooks/telegram/{account.id}", json=update, headers={HEADER: secret}).status_code == 503
    assert count(Message) == 0
    assert client.post(f"/webhooks/telegram/{account.id}", json=update, headers={HEADER: secret}).status_code == 200
    assert [a.filename for a in db.session.scalar(select(Message)).attachments] == ["contract.pdf"]


def test_a_file_path_that_climbs_out_of_the_bot_api_is_not_fetched_and_the_message_says_so(hooked, client, bot_api):
    account, secret = hooked
    bot_api.add_file("DOC9", b"%PDF-1.7", "../../../admin/export.pdf")
    update = {"update_id": 5004, **updates.document("DOC9", "contract.pdf", "application/pdf", 8)}
    assert client.post(f"/webhooks/telegram/{account.id}", json=update, headers={HEADER: secret}).status_code == 200
    message = db.session.scalar(select(Message))
    assert message.attachments == []
    assert "[contract.pdf was not downloaded: the scheme 'http' is not allowed (https only)]" in message.body_text
    assert TOKEN not in message.body_text


@pytest.mark.parametrize("body", ['{"update_id": 5005, "message": {"message_id": 1, "date": 1700000000, '
                                  '"chat": {"id": 1, "type": "private"}, "from": {"id": 1, "is_bot": false, '
                                  '"first_name": "\\ud800"}, "text": "hola"}}', "[" * 100_000 + "]" * 100_000])
def test_json_no_handler_can_take_is_a_400_in_the_webhooks_shape(hooked, client, body):
    account, secret = hooked
    response = client.post(f"/webhooks/telegram/{account.id}", data=body, content_type="application/json",
                           headers={HEADER: secret})
    assert response.status_code == 400 and response.get_json() == {"ok": False, "error": "the body is not a Telegram update"}
    assert count(Message) == 0
