"""WhatsApp business numbers as channel accounts: adding one, and the adapter that serves it.

Settings (public): phone_number_id, api_base_url, api_version. Secrets (sealed together):
access_token (sends and downloads), app_secret (signs webhooks), verify_token (subscription).
"""

from __future__ import annotations

from channels.whatsapp.adapter import WhatsAppChannel
from helpdesk.models import ChannelAccount
from helpdesk.services import channel_accounts
from helpdesk.services.meta import accounts as meta_accounts

KIND = "whatsapp"


def add_account(*, name: str, phone_number_id: str, access_token: str, app_secret: str,
                verify_token: str | None = None, api_base_url: str | None = None, api_version: str | None = None,
                group: str | None = None) -> tuple[ChannelAccount, str]:
    """Validate and store a WhatsApp number with its secrets sealed; commits. Returns the account
    and its webhook verify token (generated when none is given). meta_accounts.AccountError names a bad field."""
    phone_number_id = meta_accounts.key_value("phone_number_id", phone_number_id)
    return meta_accounts.add_account(
        KIND, name=name, key="phone_number_id", key_value=phone_number_id, access_token=access_token,
        app_secret=app_secret, verify_token=verify_token, api_base_url=api_base_url, api_version=api_version,
        group=group)


def channel(account: ChannelAccount) -> WhatsAppChannel:
    """The adapter that sends and downloads for `account`."""
    return WhatsAppChannel.from_settings(channel_accounts.adapter_settings(account.source))
