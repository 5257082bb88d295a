"""`helpdesk channels add-telegram` and `telegram-mode`: the token from stdin, checked, sealed."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import ChannelAccount
from helpdesk.services.channel_accounts import account_secrets
from tests.telegram.bot_api_server import TOKEN


def add(app, bot_api, *args, token: str = TOKEN):
    return app.test_cli_runner().invoke(
        args=["channels", "add-telegram", "support", "--token-stdin", "--api-url", bot_api.url, *args],
        input=token + "\n")


def test_a_bot_is_added_from_stdin_with_its_token_sealed(app, bot_api, groups):
    result = add(app, bot_api, "--group", "Billing", "--new-after-solved")
    assert result.exit_code == 0, result.output
    account = db.session.scalar(select(ChannelAccount))
    assert f"added Telegram bot support @acme_support_bot (id {account.id})" in result.output
    assert "long polling" in result.output and TOKEN not in result.output
    assert TOKEN not in account.secrets_sealed and account_secrets(account)["token"] == TOKEN
    assert account.settings["reopen_solved"] is False and account.group_id == groups[1].id
    assert account.settings["bot_username"] == "acme_support_bot" and bot_api.calls == ["getMe", "deleteWebhook"]


def test_a_token_telegram_refuses_adds_nothing(app, bot_api, groups):
    result = add(app, bot_api, token=TOKEN[:-4] + "XXXX")
    assert result.exit_code != 0 and "Telegram did not accept it" in result.output
    assert "XXXX" not in result.output and db.session.scalar(select(ChannelAccount)) is None


def test_the_same_bot_cannot_be_added_twice(app, bot_api, groups):
    assert add(app, bot_api).exit_code == 0
    result = app.test_cli_runner().invoke(args=["channels", "add-telegram", "again", "--token-stdin", "--api-url",
                                                bot_api.url], input=TOKEN + "\n")
    assert result.exit_code != 0 and "already added" in result.output


def test_a_bot_switches_to_webhook_mode_and_back(app, bot_api, groups):
    assert add(app, bot_api).exit_code == 0
    result = app.test_cli_runner().invoke(args=["channels", "telegram-mode", "support", "--webhook-url",
                                                "https://help.example.com/"])
    account = db.session.scalar(select(ChannelAccount))
    assert result.exit_code == 0 and f"https://help.example.com/webhooks/telegram/{account.id}" in result.output
    assert bot_api.webhook["secret_token"] == account_secrets(account)["webhook_secret"]
    result = app.test_cli_runner().invoke(args=["channels", "telegram-mode", "support"])
    assert result.exit_code == 0 and bot_api.webhook is None
    db.session.refresh(account)
    assert account.settings["mode"] == "polling"
