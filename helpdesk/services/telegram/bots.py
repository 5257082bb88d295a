"""Telegram bots as channel accounts: adding one by its token, how updates reach us (webhook or
long polling), and the Bot API client for a stored bot.

A bot's public options live in `ChannelAccount.settings`:
  bot_id, bot_username  what getMe said when the bot was added (one account per bot)
  api_url               the Bot API server (https://api.telegram.org, or a local Bot API server)
  mode                  "webhook" (Telegram POSTs to /webhooks/telegram/<id>) or "polling"
  webhook_url           the URL given to setWebhook, in webhook mode
  reopen_solved         true: a chat's next message reopens its solved ticket; false: it starts
                        a new ticket once the last one is solved
  greeting              the answer to /start (DEFAULT_GREETING when unset)
Its token and the webhook's secret token are sealed together (channel_accounts.seal_secrets).
"""

from __future__ import annotations

import re
import secrets as random_tokens

from sqlalchemy import select
from telegram import User

from channels.telegram.client import DEFAULT_API_URL, TOKEN_PATTERN, BotClient, TelegramApiError
from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.i18n import stored
from helpdesk.models import ChannelAccount
from helpdesk.services import channel_accounts, staff
from helpdesk.services.channel_accounts import account_secrets, seal_secrets
from helpdesk.services.secrets import SecretUnreadable

KIND = "telegram"
DEFAULT_GREETING = "Hello! Thanks for writing to us. Tell us what you need and an agent will answer you here."
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_URL = re.compile(r"^https?://[^\s/?#]+(/[^\s?#]*)?$")
GREETING_MAX = 1000


class BotError(ValueError):
    """A bot that cannot be added or changed; `field` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def webhook_endpoint(public_url: str, account_id: int) -> str:
    """The URL Telegram calls for bot `account_id` when the helpdesk is reachable at `public_url`."""
    return f"{public_url.rstrip('/')}/webhooks/telegram/{account_id}"


def _group_id(group: str | None) -> int | None:
    return staff.group_id_named(group, BotError)


def _check_name(name: str, own_id: int | None = None) -> None:
    if not _NAME.match(name or ""):
        raise BotError("name", _("must be letters, digits, '.', '_' or '-' (at most 100)"))
    taken = db.session.scalar(select(ChannelAccount.id).where(ChannelAccount.kind == KIND, ChannelAccount.name == name))
    if taken is not None and taken != own_id:
        raise BotError("name", _("a bot with this name exists"))


def _check_token(token: str) -> None:
    if not TOKEN_PATTERN.fullmatch(token or ""):
        raise BotError("token", _("is not a bot token (BotFather gives one like 123456789:AA...)"))


def _get_me(token: str, api_url: str) -> User:
    """What getMe says about the bot of `token`; BotError when Telegram does not accept the token."""
    try:
        with BotClient(token, api_url=api_url) as bot:
            return bot.get_me()
    except TelegramApiError as exc:
        raise BotError("token", _("Telegram did not accept it: %(reason)s", reason=stored.say(exc.reason))) from None


def _check(name: str, token: str, webhook_url: str | None, api_url: str) -> None:
    _check_name(name)
    _check_token(token)
    for field, url in (("webhook_url", webhook_url), ("api_url", api_url)):
        if url is not None and not _URL.match(url):
            raise BotError(field, _("must be an http(s) URL"))


def add_bot(*, name: str, token: str, webhook_url: str | None = None, group: str | None = None,
            api_url: str = DEFAULT_API_URL, reopen_solved: bool = True, greeting: str | None = None) -> ChannelAccount:
    """Check `token` with getMe, store the bot with its token and a new webhook secret sealed,
    and set its delivery mode: a webhook at `webhook_url` (the helpdesk's public base URL) or,
    without one, long polling (any webhook is removed). Commits and returns the account."""
    _check(name, token, webhook_url, api_url)
    group_id = _group_id(group)
    greeting = _greeting(greeting)
    me = _get_me(token, api_url)
    taken = db.session.scalars(select(ChannelAccount).where(ChannelAccount.kind == KIND))
    if any(a.settings.get("bot_id") == me.id for a in taken):
        raise BotError("token", _("bot @%(username)s is already added", username=me.username))
    account = ChannelAccount(
        kind=KIND, name=name, group_id=group_id,
        settings={"bot_id": me.id, "bot_username": me.username, "api_url": api_url.rstrip("/"),
                  "mode": "polling", "reopen_solved": reopen_solved, "greeting": greeting},
        secrets_sealed=seal_secrets({"token": token, "webhook_secret": random_tokens.token_urlsafe(32)}),
    )
    db.session.add(account)
    db.session.commit()
    try:
        set_mode(account, webhook_url)
    except BotError:
        db.session.delete(account)
        db.session.commit()
        raise
    return account


def set_mode(account: ChannelAccount, webhook_url: str | None) -> ChannelAccount:
    """Tell Telegram how to deliver `account`'s updates: to our webhook under `webhook_url` (the
    public base URL) with the bot's secret token, or, with None, by getUpdates (long polling).
    Commits; BotError when Telegram refuses."""
    endpoint = webhook_endpoint(webhook_url, account.id) if webhook_url else None
    stored = account_secrets(account)
    _deliver_to(account, stored["token"], endpoint, stored["webhook_secret"])
    account.settings = account.settings | {"mode": "webhook" if endpoint else "polling", "webhook_url": endpoint}
    db.session.commit()
    return account


def bot_client(account: ChannelAccount, *, timeout: float = 30.0) -> BotClient:
    """A Bot API client for the stored bot `account`, for this thread (close it, or use it as a
    context manager)."""
    return BotClient(account_secrets(account)["token"], api_url=account.settings.get("api_url") or DEFAULT_API_URL,
                  timeout=timeout)


def get_bot(account_id: int) -> ChannelAccount:
    """The Telegram bot `account_id`; LookupError when there is none."""
    account = db.session.get(ChannelAccount, account_id)
    if account is None or account.kind != KIND:
        raise LookupError(f"no Telegram bot {account_id}")
    return account


def active_bots(mode: str | None = None) -> list[ChannelAccount]:
    """Active bots, oldest first; only those in `mode` ("polling", "webhook") when given."""
    bots = db.session.scalars(select(ChannelAccount).where(ChannelAccount.kind == KIND, ChannelAccount.active)
                              .order_by(ChannelAccount.id))
    return [b for b in bots if mode is None or b.settings.get("mode") == mode]


def update_bot(account: ChannelAccount, *, name: str, group: str | None, active: bool, webhook_url: str | None,
               reopen_solved: bool, greeting: str | None, token: str | None = None) -> ChannelAccount:
    """Change a stored bot: its name, group, greeting, whether a chat's next message reopens its
    solved ticket, a new `token` for the same bot (checked with getMe), on or off, and how updates
    arrive: a webhook under `webhook_url` (the public base URL; setWebhook with the bot's secret
    token) or, with None, long polling. A switched-off bot's webhook is removed so that Telegram
    stops calling. Telegram is asked before anything is saved: when it refuses, nothing changes.
    Commits and returns the account; BotError names the offending field."""
    name = (name or "").strip()
    _check_name(name, account.id)
    if webhook_url is not None and not _URL.match(webhook_url):
        raise BotError("webhook_url", _("must be an http(s) URL"))
    group_id = _group_id(group)
    greeting = _greeting(greeting)
    stored = _stored_or_new_secrets(account, token)
    if token:
        _check_same_bot(account, token)
    endpoint = webhook_endpoint(webhook_url, account.id) if webhook_url else None
    _deliver_to(account, token or stored["token"], endpoint if active else None, stored["webhook_secret"])
    if token:
        account.secrets_sealed = seal_secrets(stored | {"token": token})
    account.name, account.group_id, account.active = name, group_id, active
    account.last_error = None  # it described the delivery just replaced; the next failure sets it again
    account.settings = account.settings | {"mode": "webhook" if endpoint else "polling", "webhook_url": endpoint,
                                           "reopen_solved": reopen_solved, "greeting": greeting}
    db.session.commit()
    return account


def _stored_or_new_secrets(account: ChannelAccount, token: str | None) -> dict[str, str]:
    """The bot's stored secrets; when they cannot be decrypted any more (the secret key changed),
    the new `token` with a new webhook secret, or BotError asking for the token."""
    try:
        return account_secrets(account)
    except SecretUnreadable:
        if not token:
            raise BotError("token", _("the stored token cannot be decrypted (was HELPDESK_SECRET_KEY changed?); enter it again")) from None
        return {"token": token, "webhook_secret": random_tokens.token_urlsafe(32)}


def _greeting(value: str | None) -> str | None:
    text = (value or "").strip()
    if len(text) > GREETING_MAX:
        raise BotError("greeting", _("must be at most %(greeting_max)s characters", greeting_max=GREETING_MAX))
    return text or None


def _check_same_bot(account: ChannelAccount, token: str) -> None:
    """A replacement token must belong to the bot the account already is (its chats are that bot's)."""
    _check_token(token)
    me = _get_me(token, account.settings.get("api_url") or DEFAULT_API_URL)
    if me.id != account.settings.get("bot_id"):
        raise BotError("token", _("it belongs to another bot (@%(username)s); add that bot instead", username=me.username))


def _deliver_to(account: ChannelAccount, token: str, endpoint: str | None, secret: str) -> None:
    """setWebhook to `endpoint` with `secret`, or deleteWebhook when None; BotError when Telegram refuses."""
    try:
        with BotClient(token, api_url=account.settings.get("api_url") or DEFAULT_API_URL) as bot:
            if endpoint:
                bot.set_webhook(endpoint, secret)
            else:
                bot.delete_webhook()
    except TelegramApiError as exc:
        raise BotError("webhook_url", _("Telegram refused: %(reason)s", reason=stored.say(exc.reason))) from None


def delete_bot(account: ChannelAccount) -> str | None:
    """Delete a bot no ticket came through (channel_accounts.AccountInUse otherwise), removing
    its webhook at Telegram first. Commits. Returns why the webhook could not be removed, or None."""
    channel_accounts.ensure_unused(account)
    problem = None
    if account.settings.get("mode") == "webhook":
        try:
            with bot_client(account, timeout=15.0) as bot:
                bot.delete_webhook()
        except TelegramApiError as exc:
            problem = exc.reason
    channel_accounts.delete_account(account)
    return problem
