"""The console's messaging-channel pages: Telegram bots, WhatsApp numbers and Messenger Pages."""
# ruff: noqa: F811 - tests name the imported `bot_api` fixture as their parameter, as pytest wants

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import ChannelAccount, Ticket
from helpdesk.services.channel_accounts import account_secrets
from helpdesk.services.telegram import bots as telegram_bots
from tests.telegram import updates
from tests.telegram.bot_api_server import TOKEN
from tests.telegram.conftest import bot_api  # noqa: F401 - the local Bot API server
from tests.whatsapp import payloads

PAGE = "/admin/channels/"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
NEW_TOKEN = "7012345678:AAH9newly-issued_by-botfather_0123456789"
ACCESS_TOKEN = "EAAGm0PX4ZCpsBAKconsole-token"
APP_SECRET = "5e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b"
VERIFY_TOKEN = "console-verify-token-1"


@pytest.fixture
def admin(client, groups, make_user, login):
    user = make_user(role="admin")
    login(user)
    return user


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def add_bot_form(bot_api, **fields) -> dict:
    return {"name": "acme", "token": TOKEN, "api_url": bot_api.url, "mode": "webhook",
            "webhook_base": "https://help.example.com", "group": "Billing", "reopen_solved": "1"} | fields


def whatsapp_form(**fields) -> dict:
    return {"name": "support-es", "phone_number_id": payloads.PHONE_NUMBER_ID, "access_token": ACCESS_TOKEN,
            "app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN, "group": "Billing"} | fields


def only(kind: str) -> ChannelAccount:
    return db.session.scalars(select(ChannelAccount).where(ChannelAccount.kind == kind)).one()


def bot_form(account: ChannelAccount, **fields) -> dict:
    """The edit form of `account` as the page fills it in, changed by `fields`."""
    settings = account.settings
    return {"name": account.name, "active": "1" if account.active else "", "group": "",
            "mode": settings["mode"], "webhook_base": "https://help.example.com",
            "reopen_solved": "1" if settings.get("reopen_solved") else "", "greeting": settings.get("greeting") or ""
            } | fields


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_agents_and_supervisors_cannot_see_or_change_channels(client, groups, make_user, login, bot_api, role):
    bot = telegram_bots.add_bot(name="acme", token=TOKEN, api_url=bot_api.url)
    login(make_user(role=role))
    assert client.get(PAGE).status_code == 404  # like every admin page: as if it did not exist
    assert client.post("/admin/channels/telegram", data=add_bot_form(bot_api, name="other")).status_code == 404
    assert client.post("/admin/channels/whatsapp", data=whatsapp_form()).status_code == 404
    assert client.post(f"/admin/channels/{bot.id}", data=bot_form(bot, name="renamed")).status_code == 404
    assert client.post(f"/admin/channels/{bot.id}/delete").status_code == 404
    assert [a.name for a in db.session.scalars(select(ChannelAccount))] == ["acme"]
    assert "/admin/channels" not in client.get("/tickets").get_data(as_text=True)


def test_signed_out_visitors_are_sent_to_the_login_page(client, groups):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admins_find_the_page_in_the_navigation(client, admin):
    assert 'href="/admin/channels/"' in client.get("/tickets").get_data(as_text=True)
    assert client.get(PAGE).status_code == 200


def test_forms_without_the_csrf_token_are_refused(app, client, admin, bot_api):
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/admin/channels/telegram", data=add_bot_form(bot_api)).status_code == 400
    assert client.post("/admin/channels/whatsapp", data=whatsapp_form()).status_code == 400
    assert count(ChannelAccount) == 0
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(PAGE).get_data(as_text=True)).group(1)
    assert client.post("/admin/channels/whatsapp", data=whatsapp_form(csrf_token=token)).status_code == 303
    assert count(ChannelAccount) == 1


def test_a_bot_added_in_the_console_receives_its_updates_by_webhook(client, admin, bot_api, groups):
    response = client.post("/admin/channels/telegram", data=add_bot_form(bot_api))
    assert response.status_code == 303
    bot = only("telegram")
    assert bot.group_id == groups[1].id and bot.settings["bot_username"] == "acme_support_bot"
    assert bot_api.webhook["url"] == f"https://help.example.com/webhooks/telegram/{bot.id}"
    secret = bot_api.webhook["secret_token"]  # what Telegram was given, and sends back with each update
    delivered = client.post(f"/webhooks/telegram/{bot.id}", json={"update_id": 9001, **updates.text("Card declined")},
                            headers={HEADER: secret})
    assert delivered.status_code == 200
    ticket = db.session.scalars(select(Ticket)).one()
    assert (ticket.source, ticket.subject, ticket.group_id) == (bot.source, "Card declined", groups[1].id)
    page = client.get(PAGE).get_data(as_text=True)
    assert f"https://help.example.com/webhooks/telegram/{bot.id}" in page and "@acme_support_bot" in page


def test_a_whatsapp_number_added_in_the_console_takes_metas_handshake_and_a_signed_message(client, admin):
    assert client.post("/admin/channels/whatsapp", data=whatsapp_form()).status_code == 303
    number = only("whatsapp")
    page = client.get(PAGE).get_data(as_text=True)
    assert f"http://localhost/webhooks/whatsapp/{number.id}" in page  # the callback URL to give Meta
    handshake = client.get(f"/webhooks/whatsapp/{number.id}", query_string={
        "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "8812"})
    assert handshake.get_data(as_text=True) == "8812"
    body, headers = payloads.signed(payloads.text("¿Dónde está mi pedido?"), APP_SECRET)
    assert client.post(f"/webhooks/whatsapp/{number.id}", data=body, headers=headers).status_code == 200
    assert db.session.scalar(select(Ticket.source)) == number.source


def test_no_page_shows_a_stored_secret(client, admin, bot_api):
    client.post("/admin/channels/telegram", data=add_bot_form(bot_api))
    client.post("/admin/channels/whatsapp", data=whatsapp_form())
    client.post("/admin/channels/messenger", data=whatsapp_form(name="page", page_id="682498302938465"))
    stored = [value for account in db.session.scalars(select(ChannelAccount))
              for value in account_secrets(account).values()]
    assert len(stored) == 2 + 3 + 3
    page = client.get(PAGE).get_data(as_text=True)
    assert [s for s in stored if s in page] == []
    assert not any(sealed in page for sealed in db.session.scalars(select(ChannelAccount.secrets_sealed)))
    refused = client.post(f"/admin/channels/{only('whatsapp').id}", follow_redirects=True, data=whatsapp_form(
        app_secret="new secret with spaces", access_token="EAA-replacement-token"))
    text = refused.get_data(as_text=True)
    assert "app_secret must be given, without spaces" in text
    assert "EAA-replacement-token" not in text and "new secret with spaces" not in text


@pytest.mark.parametrize("fields, complaint", [
    ({"name": "no spaces please"}, "name must be letters, digits"),
    ({"token": "not-a-token"}, "token is not a bot token"),
    ({"token": "7012345678:AAF3kqXr-wrong-token_0123456789abcdefgh"}, "token Telegram did not accept it: the bot token was refused"),
    ({"webhook_base": ""}, "webhook_url must be an http(s) URL"),
    ({"webhook_base": "javascript:alert(1)"}, "webhook_url must be an http(s) URL"),
    ({"group": "Nobody"}, "group no group named &#39;Nobody&#39;"),
    ({"greeting": "x" * 1001}, "greeting must be at most 1000 characters"),
])
def test_a_bot_with_bad_settings_is_not_added_and_the_page_says_why(client, admin, bot_api, fields, complaint):
    page = client.post("/admin/channels/telegram", data=add_bot_form(bot_api, **fields), follow_redirects=True)
    assert complaint in page.get_data(as_text=True)
    assert count(ChannelAccount) == 0 and bot_api.webhook is None


@pytest.mark.parametrize("kind, fields, complaint", [
    ("whatsapp", {"phone_number_id": "+34 600 12"}, "phone_number_id must be the numeric id"),
    ("whatsapp", {"verify_token": ""}, "verify_token must be given"),
    ("whatsapp", {"app_secret": "two words"}, "app_secret must be given, without spaces"),
    ("whatsapp", {"access_token": ""}, "access_token must be given"),
    ("whatsapp", {"api_base_url": "ftp://graph.example"}, "api_base_url must be an http(s) URL"),
    ("whatsapp", {"api_version": "21"}, "api_version must look like v21.0"),
    ("messenger", {"page_id": "my-page"}, "page_id must be the numeric id"),
    ("messenger", {"name": ""}, "name must be letters, digits"),
])
def test_a_meta_account_with_bad_settings_is_not_added_and_the_page_says_why(client, admin, kind, fields, complaint):
    data = whatsapp_form(page_id="682498302938465") | fields
    page = client.post(f"/admin/channels/{kind}", data=data, follow_redirects=True)
    assert complaint in page.get_data(as_text=True)
    assert count(ChannelAccount) == 0


def test_a_second_account_for_the_same_number_is_refused(client, admin):
    client.post("/admin/channels/whatsapp", data=whatsapp_form())
    page = client.post("/admin/channels/whatsapp", data=whatsapp_form(name="again"), follow_redirects=True)
    assert "phone_number_id already added as &#39;support-es&#39;" in page.get_data(as_text=True)
    assert count(ChannelAccount) == 1


def test_switching_a_bot_to_polling_and_back_tells_telegram(client, admin, bot_api):
    client.post("/admin/channels/telegram", data=add_bot_form(bot_api))
    bot = only("telegram")
    bot.last_error = "Conflict: terminated by other getUpdates request"
    db.session.commit()
    assert "terminated by other getUpdates request" in client.get(PAGE).get_data(as_text=True)
    client.post(f"/admin/channels/{bot.id}", data=bot_form(bot, mode="polling", greeting="Hola, ¿qué necesitas?"))
    assert bot_api.webhook is None and bot.settings["mode"] == "polling" and bot.last_error is None
    assert bot.settings["greeting"] == "Hola, ¿qué necesitas?" and bot.group_id is None
    client.post(f"/admin/channels/{bot.id}", data=bot_form(bot, mode="webhook", webhook_base="https://new.example"))
    assert bot_api.webhook["url"] == f"https://new.example/webhooks/telegram/{bot.id}"
    assert bot_api.webhook["secret_token"] == account_secrets(bot)["webhook_secret"]


def test_a_switched_off_bot_loses_its_webhook_and_its_updates_are_refused(client, admin, bot_api):
    client.post("/admin/channels/telegram", data=add_bot_form(bot_api))
    bot = only("telegram")
    secret = account_secrets(bot)["webhook_secret"]
    client.post(f"/admin/channels/{bot.id}", data=bot_form(bot, active=""))
    assert bot_api.webhook is None and not bot.active and bot.settings["mode"] == "webhook"
    update = {"update_id": 9100, **updates.text("anyone?")}
    assert client.post(f"/webhooks/telegram/{bot.id}", json=update, headers={HEADER: secret}).status_code == 404
    client.post(f"/admin/channels/{bot.id}", data=bot_form(bot, active="1"))
    assert bot_api.webhook["url"].endswith(f"/webhooks/telegram/{bot.id}")
    assert client.post(f"/webhooks/telegram/{bot.id}", json=update, headers={HEADER: secret}).status_code == 200


def test_when_telegram_refuses_the_webhook_nothing_is_saved(client, admin, bot_api):
    client.post("/admin/channels/telegram", data=add_bot_form(bot_api, mode="polling"))
    bot = only("telegram")
    bot_api.fail("setWebhook", 400, "Bad Request: bad webhook: Failed to resolve host")
    page = client.post(f"/admin/channels/{bot.id}", follow_redirects=True,
                       data=bot_form(bot, name="renamed", mode="webhook", webhook_base="https://nowhere.invalid"))
    assert "Telegram refused: Telegram 400: Bad Request: bad webhook: Failed to resolve host" in page.get_data(as_text=True)
    db.session.refresh(bot)
    assert (bot.name, bot.settings["mode"]) == ("acme", "polling")


def test_a_revoked_token_is_replaced_by_the_new_one_of_the_same_bot(client, admin, bot_api):
    client.post("/admin/channels/telegram", data=add_bot_form(bot_api))
    bot = only("telegram")
    bot_api.token = NEW_TOKEN  # BotFather revoked the old token: Telegram now knows the bot by the new one
    refused = client.post(f"/admin/channels/{bot.id}", data=bot_form(bot, token=TOKEN[:-1] + "X"), follow_redirects=True)
    assert "token Telegram did not accept it: the bot token was refused" in refused.get_data(as_text=True)
    assert account_secrets(bot)["token"] == TOKEN
    client.post(f"/admin/channels/{bot.id}", data=bot_form(bot, token=NEW_TOKEN))
    db.session.refresh(bot)
    assert account_secrets(bot)["token"] == NEW_TOKEN
    assert bot_api.calls[-2:] == ["getMe", "setWebhook"]  # the webhook is set again with the new token


def test_replacing_a_meta_secret_keeps_the_others(client, admin):
    client.post("/admin/channels/whatsapp", data=whatsapp_form())
    number = only("whatsapp")
    fresh = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
    client.post(f"/admin/channels/{number.id}", data=whatsapp_form(
        name="support-mx", active="1", access_token="", app_secret=fresh, verify_token="", api_version="v22.0"))
    db.session.refresh(number)
    assert account_secrets(number) == {"access_token": ACCESS_TOKEN, "app_secret": fresh, "verify_token": VERIFY_TOKEN}
    assert (number.name, number.settings["api_version"], number.active) == ("support-mx", "v22.0", True)
    old_body, old_headers = payloads.signed(payloads.text("signed with the old secret"), APP_SECRET)
    assert client.post(f"/webhooks/whatsapp/{number.id}", data=old_body, headers=old_headers).status_code == 403
    body, headers = payloads.signed(payloads.text("signed with the new secret"), fresh)
    assert client.post(f"/webhooks/whatsapp/{number.id}", data=body, headers=headers).status_code == 200


def test_a_messenger_page_is_switched_off_and_meta_is_then_turned_away(client, admin):
    client.post("/admin/channels/messenger", data=whatsapp_form(name="page", page_id="682498302938465"))
    page = only("messenger")
    client.post(f"/admin/channels/{page.id}", data=whatsapp_form(name="page", page_id="682498302938466", active=""))
    db.session.refresh(page)
    assert not page.active and page.settings["page_id"] == "682498302938466"
    handshake = client.get(f"/webhooks/messenger/{page.id}", query_string={
        "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"})
    assert handshake.status_code == 404


def test_an_account_without_tickets_is_deleted_and_its_webhook_removed(client, admin, bot_api):
    client.post("/admin/channels/telegram", data=add_bot_form(bot_api))
    client.post("/admin/channels/whatsapp", data=whatsapp_form())
    for account in list(db.session.scalars(select(ChannelAccount))):
        assert client.post(f"/admin/channels/{account.id}/delete").status_code == 303
    assert count(ChannelAccount) == 0 and bot_api.webhook is None


def test_an_account_tickets_came_through_is_kept_and_can_only_be_switched_off(client, admin):
    client.post("/admin/channels/whatsapp", data=whatsapp_form())
    number = only("whatsapp")
    body, headers = payloads.signed(payloads.text("Hola"), APP_SECRET)
    client.post(f"/webhooks/whatsapp/{number.id}", data=body, headers=headers)
    page = client.post(f"/admin/channels/{number.id}/delete", follow_redirects=True).get_data(as_text=True)
    assert "not deleted: 1 ticket(s) came through it; switch it off instead" in page
    assert count(ChannelAccount) == 1 and db.session.scalar(select(Ticket.source)) == number.source


def test_other_kinds_of_account_are_not_found_here(client, admin, groups):
    from helpdesk.services.webchat import widgets as webchat_widgets

    widget = webchat_widgets.add_widget("shop", ["https://shop.example"])
    assert client.post(f"/admin/channels/{widget.id}", data={"name": "x"}).status_code == 404
    assert client.post(f"/admin/channels/{widget.id}/delete").status_code == 404
    assert client.post("/admin/channels/999999/delete").status_code == 404
    assert count(ChannelAccount) == 1


def test_secrets_unreadable_after_a_key_change_are_asked_for_again(app, client, admin, bot_api, login):
    client.post("/admin/channels/telegram", data=add_bot_form(bot_api))
    client.post("/admin/channels/whatsapp", data=whatsapp_form())
    bot, number = only("telegram"), only("whatsapp")
    app.config["SECRET_KEY"] = "a-new-secret-key-after-rotation"
    login(admin)  # the old session was signed with the old key
    page = client.post(f"/admin/channels/{bot.id}", data=bot_form(bot), follow_redirects=True).get_data(as_text=True)
    assert "the stored token cannot be decrypted (was HELPDESK_SECRET_KEY changed?); enter it again" in page
    client.post(f"/admin/channels/{bot.id}", data=bot_form(bot, token=TOKEN))
    db.session.refresh(bot)
    assert account_secrets(bot)["token"] == TOKEN
    assert bot_api.webhook["secret_token"] == account_secrets(bot)["webhook_secret"]
    partly = client.post(f"/admin/channels/{number.id}", data=whatsapp_form(access_token="", verify_token=""),
                         follow_redirects=True).get_data(as_text=True)
    assert "enter the access token, app secret and verify token again" in partly
    client.post(f"/admin/channels/{number.id}", data=whatsapp_form(active="1"))
    db.session.refresh(number)
    assert account_secrets(number) == {"access_token": ACCESS_TOKEN, "app_secret": APP_SECRET,
                                       "verify_token": VERIFY_TOKEN}
