"""What Meta's messaging channels (WhatsApp numbers, Messenger pages) share as channel accounts:
validated settings, sealed secrets (an access token, the app secret that signs webhooks, the verify
token of the subscription handshake), looking an account up for its webhook, authenticating
Meta's calls, and the report of one webhook delivery.
"""

from __future__ import annotations

import hmac
import re
import secrets as tokens
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import select

from channels.base import DeliveryStatus
from channels.whatsapp import signature
from channels.whatsapp.graph import DEFAULT_BASE_URL, DEFAULT_VERSION
from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import ChannelAccount, Group
from helpdesk.services import channel_accounts, staff
from helpdesk.services.secrets import SecretUnreadable

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_VERSION = re.compile(r"^v\d{1,3}\.\d{1,3}$")
SECRET_MAX = 1000


SECRET_FIELDS = ("access_token", "app_secret", "verify_token")


class AccountError(ValueError):
    """An account setting that cannot be saved; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass
class WebhookReport:
    """What one webhook delivery did. `pending` are statuses that overtook their send's receipt,
    as (source, status) pairs the caller must keep and apply later."""

    stored: int = 0
    duplicates: int = 0
    statuses: int = 0
    ignored: int = 0
    pending: list[tuple[str, DeliveryStatus]] = field(default_factory=list)


def _base_url(value: str | None) -> str:
    url = (value or DEFAULT_BASE_URL).strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise AccountError("api_base_url", _("must be an http(s) URL such as https://graph.facebook.com"))
    return url


def _group_id(name: str | None) -> int | None:
    return staff.group_id_named(name, AccountError)


def _name(value: str | None) -> str:
    name = (value or "").strip()
    if not _NAME.match(name):
        raise AccountError("name", _("must be letters, digits, '.', '_' or '-' (at most 100)"))
    return name


def _secret(name: str, value: str | None) -> str:
    secret = (value or "").strip()
    if not secret or len(secret) > SECRET_MAX or any(ch.isspace() for ch in secret):
        raise AccountError(name, _("must be given, without spaces (at most %(secret_max)s characters)", secret_max=SECRET_MAX))
    return secret


def _version(value: str | None) -> str:
    version = (value or DEFAULT_VERSION).strip()
    if not _VERSION.match(version):
        raise AccountError("api_version", _("must look like v21.0"))
    return version


def key_value(key: str, value: str | None) -> str:
    """`value` as the phone number id or page id `key` names: Meta's numeric ids; AccountError otherwise."""
    text = (value or "").strip()
    if not text.isdigit() or len(text) > 32:
        raise AccountError(key, _("must be the numeric id Meta shows for it (digits, at most 32)"))
    return text


def _ensure_unique(kind: str, own_id: int | None, name: str, key: str, value: str) -> None:
    for existing in accounts(kind):
        if existing.id == own_id:
            continue
        if existing.name == name:
            raise AccountError("name", _("a %(kind)s account with this name exists", kind=kind))
        if (existing.settings or {}).get(key) == value:
            raise AccountError(key, _("already added as %(name)s", name=repr(existing.name)))


def accounts(kind: str) -> list[ChannelAccount]:
    """Every account of `kind`, active or not, oldest first."""
    return list(db.session.scalars(select(ChannelAccount).where(ChannelAccount.kind == kind).order_by(ChannelAccount.id)))


def add_account(kind: str, *, name: str, key: str, key_value: str, access_token: str, app_secret: str,
                verify_token: str | None, api_base_url: str | None, api_version: str | None,
                group: str | None) -> tuple[ChannelAccount, str]:
    """Validate and store an account of `kind` whose `key` setting (its phone number or page id,
    already validated) is `key_value`; secrets sealed; commits. Returns the account and its
    verify token (generated when none is given)."""
    name = _name(name)
    access_token, app_secret = _secret("access_token", access_token), _secret("app_secret", app_secret)
    version = _version(api_version)
    verify_token = _secret("verify_token", verify_token) if (verify_token or "").strip() else tokens.token_urlsafe(24)
    _ensure_unique(kind, None, name, key, key_value)
    account = ChannelAccount(
        kind=kind, name=name, group_id=_group_id(group),
        settings={key: key_value, "api_base_url": _base_url(api_base_url), "api_version": version},
        secrets_sealed=channel_accounts.seal_secrets({"access_token": access_token, "app_secret": app_secret,
                                                      "verify_token": verify_token}),
    )
    db.session.add(account)
    db.session.commit()
    return account, verify_token


def get_account(kind: str, account_id: int) -> ChannelAccount | None:
    """The active account `account_id` of `kind`, or None."""
    account = db.session.get(ChannelAccount, account_id) if 0 < account_id < 2**31 else None
    return account if account is not None and account.kind == kind and account.active else None


def handshake(account: ChannelAccount, params: Mapping[str, str]) -> str | None:
    """The challenge to echo for Meta's subscription request `params`, or None to refuse it."""
    return signature.handshake_challenge(params, channel_accounts.account_secrets(account).get("verify_token", ""))


def signature_valid(account: ChannelAccount, body: bytes, header: str | None) -> bool:
    """True when `header` (X-Hub-Signature-256) signs the raw `body` with the account's app secret."""
    return signature.signature_valid(body, header, channel_accounts.account_secrets(account).get("app_secret", ""))


def app_secret(account: ChannelAccount) -> str:
    """The secret of the Meta app the account belongs to."""
    return channel_accounts.account_secrets(account).get("app_secret", "")


def route(account: ChannelAccount, key: str, value: str) -> ChannelAccount | None:
    """The account whose `key` setting (phone number or page id) is `value`, for a change that
    arrived at `account`'s webhook: that account itself, or (Meta has one webhook URL per app,
    shared by all of the app's numbers and pages) another active account of the same kind and app,
    recognised by its app secret; None for anything else."""
    if (account.settings or {}).get(key) == value:
        return account
    own_secret = app_secret(account).encode()
    for other in accounts(account.kind):
        if other.active and (other.settings or {}).get(key) == value:
            return other if hmac.compare_digest(own_secret, app_secret(other).encode()) else None
    return None


def group_name(account: ChannelAccount) -> str | None:
    """The name of the group new tickets from `account` go to, if it has one."""
    return db.session.scalar(select(Group.name).where(Group.id == account.group_id)) if account.group_id else None


def _kept_secrets(account: ChannelAccount, replaced: Mapping[str, str]) -> dict[str, str]:
    """The stored secrets that `replaced` leaves as they are; AccountError when they cannot be
    decrypted any more (the secret key changed) and not all of them are given again."""
    try:
        return channel_accounts.account_secrets(account)
    except SecretUnreadable:
        if set(replaced) == set(SECRET_FIELDS):
            return {}
        raise AccountError("access_token", _("the stored secrets cannot be decrypted (was HELPDESK_SECRET_KEY changed?); enter the access token, app secret and verify token again")) from None


def update_account(account: ChannelAccount, key: str, *, name: str, group: str | None, active: bool,
                   id_value: str, api_base_url: str | None, api_version: str | None,
                   new_secrets: Mapping[str, str | None]) -> ChannelAccount:
    """Change a WhatsApp number or Messenger Page whose id setting is `key`: its name, group, id,
    Graph API base URL and version, on or off, and any of its secrets (access_token, app_secret,
    verify_token) given a non-empty value in `new_secrets`; the others are kept. Commits and
    returns the account; AccountError names the offending field."""
    name, value = _name(name), key_value(key, id_value)
    settings = {key: value, "api_base_url": _base_url(api_base_url), "api_version": _version(api_version)}
    replaced = {field: _secret(field, given) for field, given in new_secrets.items()
                if field in SECRET_FIELDS and (given or "").strip()}
    _ensure_unique(account.kind, account.id, name, key, value)
    account.group_id = _group_id(group)
    account.name, account.active = name, active
    account.settings = dict(account.settings or {}) | settings
    if replaced:
        account.secrets_sealed = channel_accounts.seal_secrets(_kept_secrets(account, replaced) | replaced)
    db.session.commit()
    return account
