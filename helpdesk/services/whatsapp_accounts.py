"""WhatsApp business numbers as channel accounts: adding one, finding the account a webhook or a
change belongs to, and checking that a webhook call really comes from Meta.

Settings (public): phone_number_id, api_base_url, api_version. Secrets (sealed together):
access_token (sends and downloads), app_secret (signs webhooks), verify_token (subscription).
"""

from __future__ import annotations

import hmac
import re
import secrets as tokens
from collections.abc import Mapping
from urllib.parse import urlsplit

from sqlalchemy import select

from channels.whatsapp import signature
from channels.whatsapp.adapter import WhatsAppChannel
from channels.whatsapp.graph import DEFAULT_BASE_URL, DEFAULT_VERSION
from helpdesk.extensions import db
from helpdesk.models import ChannelAccount, Group
from helpdesk.services import channel_accounts

KIND = "whatsapp"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_VERSION = re.compile(r"^v\d{1,3}\.\d{1,3}$")


class WhatsAppAccountError(ValueError):
    """An account setting that cannot be saved; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _base_url(value: str | None) -> str:
    url = (value or DEFAULT_BASE_URL).strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise WhatsAppAccountError("api_base_url", "must be an http(s) URL such as https://graph.facebook.com")
    return url


def _group_id(name: str | None) -> int | None:
    if not name:
        return None
    group_id = db.session.scalar(select(Group.id).where(Group.name == name))
    if group_id is None:
        raise WhatsAppAccountError("group", f"no group named {name!r}")
    return group_id


def accounts() -> list[ChannelAccount]:
    """Every WhatsApp account, active or not, oldest first."""
    return list(db.session.scalars(select(ChannelAccount).where(ChannelAccount.kind == KIND).order_by(ChannelAccount.id)))


def add_account(*, name: str, phone_number_id: str, access_token: str, app_secret: str,
                verify_token: str | None = None, api_base_url: str | None = None, api_version: str | None = None,
                group: str | None = None) -> tuple[ChannelAccount, str]:
    """Validate and store a WhatsApp number with its secrets sealed; commits. Returns the account
    and its webhook verify token (generated when none is given)."""
    name, phone_number_id = (name or "").strip(), (phone_number_id or "").strip()
    if not _NAME.match(name):
        raise WhatsAppAccountError("name", "must be letters, digits, '.', '_' or '-' (at most 100)")
    if not phone_number_id.isdigit() or len(phone_number_id) > 32:
        raise WhatsAppAccountError("phone_number_id", "must be the number's id from the WhatsApp Manager (digits)")
    for field, value in (("access_token", access_token), ("app_secret", app_secret)):
        if not (value or "").strip() or any(ch.isspace() for ch in value.strip()):
            raise WhatsAppAccountError(field, "must be given, without spaces")
    version = (api_version or DEFAULT_VERSION).strip()
    if not _VERSION.match(version):
        raise WhatsAppAccountError("api_version", "must look like v21.0")
    verify_token = (verify_token or "").strip() or tokens.token_urlsafe(24)
    for existing in accounts():
        if existing.name == name:
            raise WhatsAppAccountError("name", "a WhatsApp account with this name exists")
        if (existing.settings or {}).get("phone_number_id") == phone_number_id:
            raise WhatsAppAccountError("phone_number_id", f"already added as {existing.name!r}")
    account = ChannelAccount(
        kind=KIND, name=name, group_id=_group_id(group),
        settings={"phone_number_id": phone_number_id, "api_base_url": _base_url(api_base_url), "api_version": version},
        secrets_sealed=channel_accounts.seal_secrets({"access_token": access_token.strip(),
                                                      "app_secret": app_secret.strip(), "verify_token": verify_token}),
    )
    db.session.add(account)
    db.session.commit()
    return account, verify_token


def get_account(account_id: int) -> ChannelAccount | None:
    """The active WhatsApp account `account_id`, or None."""
    account = db.session.get(ChannelAccount, account_id) if 0 < account_id < 2**31 else None
    return account if account is not None and account.kind == KIND and account.active else None


def handshake(account: ChannelAccount, params: Mapping[str, str]) -> str | None:
    """The challenge to echo for Meta's subscription request `params`, or None to refuse it."""
    return signature.handshake_challenge(params, channel_accounts.account_secrets(account).get("verify_token", ""))


def signature_valid(account: ChannelAccount, body: bytes, header: str | None) -> bool:
    """True when `header` (X-Hub-Signature-256) signs the raw `body` with the account's app secret."""
    return signature.signature_valid(body, header, channel_accounts.account_secrets(account).get("app_secret", ""))


def account_for_number(account: ChannelAccount, phone_number_id: str) -> ChannelAccount | None:
    """The account a change about business number `phone_number_id` belongs to, when it arrived at
    `account`'s webhook: that account itself, or (Meta has one webhook URL per app, shared by all of
    the app's numbers) another active account of the same app, recognised by its app secret."""
    if (account.settings or {}).get("phone_number_id") == phone_number_id:
        return account
    app_secret = channel_accounts.account_secrets(account).get("app_secret", "").encode()
    for other in accounts():
        if other.active and (other.settings or {}).get("phone_number_id") == phone_number_id:
            other_secret = channel_accounts.account_secrets(other).get("app_secret", "").encode()
            return other if hmac.compare_digest(app_secret, other_secret) else None
    return None


def group_name(account: ChannelAccount) -> str | None:
    """The name of the group new tickets from `account` go to, if it has one."""
    return db.session.scalar(select(Group.name).where(Group.id == account.group_id)) if account.group_id else None


def channel(account: ChannelAccount) -> WhatsAppChannel:
    """The adapter that sends and downloads for `account`."""
    return WhatsAppChannel.from_settings(channel_accounts.adapter_settings(account.source))
