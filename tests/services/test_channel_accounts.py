"""The reply path finds a channel account's settings and secrets by the ticket's source."""

from __future__ import annotations

from helpdesk.extensions import db
from helpdesk.models import ChannelAccount
from helpdesk.services import channel_accounts


def test_an_account_source_yields_its_settings_and_decrypted_secrets(app):
    account = ChannelAccount(kind="telegram", name="support_bot", settings={"api_base": "http://127.0.0.1:1"},
                             secrets_sealed=channel_accounts.seal_secrets({"token": "123:abc"}))
    db.session.add(account)
    db.session.commit()
    assert "123:abc" not in account.secrets_sealed
    settings = channel_accounts.adapter_settings(account.source)
    assert settings == {"account_id": account.id, "name": "support_bot",
                        "settings": {"api_base": "http://127.0.0.1:1"}, "secrets": {"token": "123:abc"}}


def test_other_sources_yield_the_mail_settings(app):
    assert channel_accounts.adapter_settings("mailbox:1") == {"smtp": None}
    assert channel_accounts.account_for_source("telegram:999") is None
    assert channel_accounts.account_for_source("whatsapp:x") is None
    assert channel_accounts.account_for_source(None) is None
