"""Facebook Pages as Messenger channel accounts: adding one, and the adapter that serves it.

Settings (public): page_id, api_base_url, api_version. Secrets (sealed together): access_token
(the Page access token), app_secret (signs webhooks), verify_token (subscription).
"""

from __future__ import annotations

from channels.messenger.adapter import MessengerChannel
from helpdesk.models import ChannelAccount
from helpdesk.services import channel_accounts
from helpdesk.services.meta import accounts as meta_accounts

KIND = "messenger"


def add_page(*, name: str, page_id: str, access_token: str, app_secret: str, verify_token: str | None = None,
             api_base_url: str | None = None, api_version: str | None = None,
             group: str | None = None) -> tuple[ChannelAccount, str]:
    """Validate and store a Page with its secrets sealed; commits. Returns the account and its
    webhook verify token (generated when none is given). meta_accounts.AccountError names a bad field."""
    page_id = meta_accounts.key_value("page_id", page_id)
    return meta_accounts.add_account(
        KIND, name=name, key="page_id", key_value=page_id, access_token=access_token, app_secret=app_secret,
        verify_token=verify_token, api_base_url=api_base_url, api_version=api_version, group=group)


def channel(account: ChannelAccount) -> MessengerChannel:
    """The adapter that sends and downloads for `account`."""
    return MessengerChannel.from_settings(channel_accounts.adapter_settings(account.source))
