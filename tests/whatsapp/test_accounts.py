"""Adding WhatsApp numbers from the console command, and routing a webhook's changes to the number
they concern (Meta posts every number of an app to the app's one callback URL)."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import ChannelAccount, Ticket
from helpdesk.services import channel_accounts
from helpdesk.services.meta import whatsapp_accounts
from tests.whatsapp import payloads
from tests.whatsapp.conftest import ACCESS_TOKEN, APP_SECRET


def _add(runner, *args, secrets="EAAG-token\napp-secret-1\n"):
    return runner.invoke(args=["channels", "add-whatsapp", *args], input=secrets)


def test_add_whatsapp_stores_the_secrets_sealed_and_prints_the_webhook_and_verify_token(app, groups):
    result = _add(app.test_cli_runner(), "ventas", "--phone-number-id", "106540352242922", "--access-token-stdin",
                  "--app-secret-stdin", "--group", "Billing", "--api-base-url", "http://127.0.0.1:9/")
    assert result.exit_code == 0, result.output
    account = db.session.scalars(select(ChannelAccount)).one()
    billing = next(g for g in groups if g.name == "Billing")
    assert (account.kind, account.name, account.group_id) == ("whatsapp", "ventas", billing.id)
    assert account.settings == {"phone_number_id": "106540352242922", "api_base_url": "http://127.0.0.1:9",
                                "api_version": "v21.0"}
    assert "EAAG-token" not in account.secrets_sealed and "app-secret-1" not in account.secrets_sealed
    sealed = channel_accounts.account_secrets(account)
    assert (sealed["access_token"], sealed["app_secret"]) == ("EAAG-token", "app-secret-1")
    assert f"/webhooks/whatsapp/{account.id}" in result.output
    assert f"verify token: {sealed['verify_token']}" in result.output and len(sealed["verify_token"]) >= 24
    assert "EAAG-token" not in result.output and "app-secret-1" not in result.output


def test_add_whatsapp_refuses_bad_input_clearly(app, groups):
    runner = app.test_cli_runner()
    base = ["--access-token-stdin", "--app-secret-stdin"]
    assert "phone_number_id" in _add(runner, "x", "--phone-number-id", "+34 600", *base).output
    assert "group" in _add(runner, "x", "--phone-number-id", "1", "--group", "Nope", *base).output
    assert "app secret" in _add(runner, "x", "--phone-number-id", "1", *base, secrets="tok\n").output
    assert "api_base_url" in _add(runner, "x", "--phone-number-id", "1", "--api-base-url", "ftp://x", *base).output
    assert _add(runner, "x", "--phone-number-id", "1", *base).exit_code == 0
    again = _add(runner, "y", "--phone-number-id", "1", *base)
    assert again.exit_code != 0 and "already added as 'x'" in again.output
    assert db.session.scalar(select(ChannelAccount.name)) == "x"


def test_a_change_for_another_number_of_the_same_app_goes_to_that_numbers_account(post_webhook, account, graph):
    other, _ = whatsapp_accounts.add_account(name="support-uk", phone_number_id="117711223344556",
                                             access_token=ACCESS_TOKEN, app_secret=APP_SECRET,
                                             api_base_url=graph.base_url)
    payload = payloads.text("Hello from the UK", sender="447700900123", phone_number_id="117711223344556")
    assert post_webhook(payload).status_code == 200  # posted to the first account's URL
    ticket = db.session.scalars(select(Ticket)).one()
    assert ticket.source == other.source != account.source


def test_a_change_for_a_number_of_another_app_is_ignored(post_webhook, account, graph):
    whatsapp_accounts.add_account(name="other-app", phone_number_id="117711223344556", access_token="x",
                                  app_secret="a-different-app-secret", api_base_url=graph.base_url)
    payload = payloads.text("Hello", sender="447700900123", phone_number_id="117711223344556")
    assert post_webhook(payload).status_code == 200
    assert post_webhook(payloads.text("Unknown number", phone_number_id="999")).status_code == 200
    assert db.session.scalars(select(Ticket)).all() == []


def test_an_inactive_account_takes_nothing_in(post_webhook, account):
    account.active = False
    db.session.commit()
    assert post_webhook(payloads.text("¿Hola?")).status_code == 404
