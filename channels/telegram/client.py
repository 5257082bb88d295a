"""Synchronous calls to the Telegram Bot API through python-telegram-bot's `Bot`.

The helpdesk calls Telegram from plain threads (the outbox worker, the polling listener, webhook
requests, the CLI) while PTB's `Bot` is asyncio. A `BotClient` owns one event loop for its life
and runs each call on it in the calling thread; the Bot's HTTP client (PTB's `HTTPXRequest`) is
bound to that loop, so one client serves one thread for one job (a polling pass, a delivery, a
webhook call) and is closed after it: use it as a context manager.

Only the request objects are initialised, not the Bot: `Bot.initialize()` would call getMe on
every job, a Bot API call each delivery does not need.

PTB's errors become `TelegramApiError`: our words and Telegram's description, and whether the
same call may succeed later (RetryAfter, NetworkError, TimedOut, 5xx: yes; Forbidden,
BadRequest, a refused token: no), which the outbox and the listeners act on.

The bot token is part of every Bot API URL, so it must never reach a log line or an error
message: errors are built from our own words and Telegram's description, `redact` scrubs
anything else, and a filter on the loggers that see URLs (httpx's, PTB's Bot) masks tokens.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import quote

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update, User
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest, RequestData

from channels import safe_fetch
from channels.base import Attachment
from channels.telegram.parser import UnreadableUpdate, read_update

DEFAULT_API_URL = "https://api.telegram.org"
# Bot tokens are "<bot id>:<35 characters>"; the length keeps ids such as "chat:message" unmasked.
TOKEN_PATTERN = re.compile(r"\d{1,20}:[A-Za-z0-9_-]{30,100}")
_TOKEN_IN_TEXT = re.compile(r"(?<![A-Za-z0-9_-])(bot)?" + TOKEN_PATTERN.pattern)
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # the Bot API serves files up to 20 MB
MAX_PHOTO_BYTES = 10 * 1024 * 1024  # sendPhoto's limit; larger images go as documents
ALLOWED_UPDATES = ("message", "edited_message", "callback_query")
T = TypeVar("T")
log = logging.getLogger(__name__)


def redact(text: str) -> str:
    """`text` with anything shaped like a bot token (also inside a /bot<token>/ URL) masked."""
    return _TOKEN_IN_TEXT.sub(lambda m: (m.group(1) or "") + "<token>", text)


class _RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


# A logger's filters only see records logged at that logger: these are the ones that log URLs
# (httpx each request's; PTB's Bot its base URLs when it is built).
for _name in ("httpx", "telegram.Bot"):
    logging.getLogger(_name).addFilter(_RedactTokens())


class TelegramApiError(Exception):
    """A Bot API call failed. `retryable` says whether the same call may succeed later
    (rate limits, server errors, network trouble); `retry_after` is Telegram's own wait in
    seconds, if given; `error_code` the HTTP status Telegram answered with, if any."""

    def __init__(self, reason: str, *, retryable: bool, error_code: int | None = None,
                 retry_after: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.error_code = error_code
        self.retry_after = retry_after


class _Request(HTTPXRequest):
    """PTB's httpx transport, remembering the HTTP status and body of its last answer: PTB's
    errors carry neither the status nor Telegram's words as sent, and a getUpdates batch PTB
    cannot read is read again from the body, one update at a time."""

    status: int | None = None
    payload: bytes = b""

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = HTTPXRequest.DEFAULT_NONE, write_timeout: Any = HTTPXRequest.DEFAULT_NONE,
                         connect_timeout: Any = HTTPXRequest.DEFAULT_NONE,
                         pool_timeout: Any = HTTPXRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        code, payload = await super().do_request(url, method, request_data, read_timeout, write_timeout,
                                                 connect_timeout, pool_timeout)
        self.status, self.payload = code, payload
        return code, payload


def _seconds(period: int | float | timedelta) -> int:
    """PTB gives periods as int seconds or, opted in with PTB_TIMEDELTA, as timedelta."""
    return int(period.total_seconds() if isinstance(period, timedelta) else period)


def _description(payload: bytes) -> str | None:
    """Telegram's own words in an error answer (PTB trims and recapitalises them in its errors)."""
    try:
        description = json.loads(payload).get("description")
    except (ValueError, AttributeError):
        return None
    return description if isinstance(description, str) and description else None


def _translate(exc: TelegramError, status: int | None, description: str | None) -> TelegramApiError:
    """PTB's exception for a failed call (answered with HTTP `status`, None when no answer came,
    and Telegram's `description`) as the error the helpdesk acts on."""
    message = redact(description or exc.message)[:500]
    if isinstance(exc, RetryAfter):
        wait = _seconds(exc.retry_after)
        return TelegramApiError(f"Telegram rate limit (retry after {wait} s)", retryable=True, error_code=429,
                                retry_after=wait)
    if isinstance(exc, InvalidToken):
        return TelegramApiError(f"the bot token was refused ({status} {message})", retryable=False, error_code=status)
    if isinstance(exc, ChatMigrated):
        return TelegramApiError(f"the group became a supergroup (chat {exc.new_chat_id}); it writes from there next",
                                retryable=False, error_code=status)
    if isinstance(exc, Forbidden | BadRequest | Conflict):
        return TelegramApiError(f"Telegram {status}: {message}", retryable=False, error_code=status)
    if isinstance(exc, TimedOut):
        return TelegramApiError("Telegram unreachable (timed out)", retryable=True)
    if status is None or status < 300:  # no answer: the connection failed
        return TelegramApiError(f"Telegram unreachable ({message[:200]})", retryable=True)
    # NetworkError for a 5xx or 429 without a wait; a TelegramError for an unreadable answer.
    return TelegramApiError(f"Telegram {status}: {message}", retryable=isinstance(exc, NetworkError) or status >= 500,
                            error_code=status)


def _each_update(payload: bytes) -> list[Update]:
    """getUpdates' answer read one update at a time; one that cannot be read is logged and kept
    as an empty Update with its id, so that the offset can move past it."""
    updates = []
    for data in json.loads(payload).get("result") or ():
        try:
            updates.append(read_update(data))
        except UnreadableUpdate as exc:
            update_id = data.get("update_id") if isinstance(data, dict) else None
            log.warning("telegram: update %s skipped: %s", update_id, exc)
            if isinstance(update_id, int):
                updates.append(Update(update_id))
    return updates


class BotClient:
    """One bot's Bot API endpoint (`api_url`, the official server or a local Bot API server),
    used by one thread. Use as a context manager, or call `close()`."""

    def __init__(self, token: str, *, api_url: str = DEFAULT_API_URL, timeout: float = 30.0) -> None:
        if not TOKEN_PATTERN.fullmatch(token or ""):
            raise TelegramApiError("this is not a bot token (expected <digits>:<letters>)", retryable=False)
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout
        self._request = _Request(connection_pool_size=1, read_timeout=timeout, write_timeout=timeout,
                                 connect_timeout=min(timeout, 10.0), pool_timeout=timeout,
                                 media_write_timeout=max(timeout, 120.0))
        self._bot = Bot(token, base_url=f"{self.api_url}/bot", base_file_url=f"{self.api_url}/file/bot",
                        request=self._request, get_updates_request=self._request)
        self._loop = asyncio.new_event_loop()
        self._loop.run_until_complete(self._request.initialize())

    def __repr__(self) -> str:  # never the token (PTB's Bot shows it in its own repr)
        return f"BotClient({self.api_url!r})"

    def __enter__(self) -> BotClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connections and the event loop."""
        if not self._loop.is_closed():
            try:
                self._loop.run_until_complete(self._request.shutdown())
            finally:
                self._loop.close()

    def _run(self, call: Coroutine[Any, Any, T]) -> T:
        self._request.status, self._request.payload = None, b""
        try:
            return self._loop.run_until_complete(call)
        except TelegramError as exc:
            answer = self._request
            raise _translate(exc, answer.status, _description(answer.payload) if answer.status else None) from None

    def get_me(self) -> User:
        """The bot itself (id, username, first_name...): checks the token."""
        return self._run(self._bot.get_me())

    def get_updates(self, offset: int | None, *, timeout: int = 0, limit: int = 100) -> tuple[Update, ...]:
        """Updates from `offset` on (which confirms every earlier one); waits up to `timeout` s.
        An update python-telegram-bot cannot read comes back as an empty Update (its id alone)."""
        try:
            return self._run(self._bot.get_updates(offset=offset, timeout=timeout, limit=limit,
                                                   allowed_updates=list(ALLOWED_UPDATES), read_timeout=self.timeout))
        except (TypeError, AttributeError, KeyError, ValueError):
            # PTB reads the whole batch at once, so one update it cannot read (a Bot API server
            # older or newer than the library) would hold up the others, at every pass, for good.
            return tuple(_each_update(self._request.payload))

    def download(self, file_id: str, *, max_bytes: int = MAX_DOWNLOAD_BYTES) -> bytes:
        """The bytes of a file a user sent: getFile, then its path fetched under this Bot API
        server's file URL by the safe-fetch rules (that base alone may be http or private). A
        file getFile says is over `max_bytes` is not fetched; one that turns out larger is cut off."""
        file = self._run(self._bot.get_file(file_id))
        if file.file_size is not None and file.file_size > max_bytes:
            raise TelegramApiError(f"the file is larger than {max_bytes} bytes", retryable=False)
        try:
            return safe_fetch.fetch(self._file_url(file.file_path), max_bytes=max_bytes,
                                    timeout=max(self.timeout, 60), trusted_base=self.api_url).content
        except safe_fetch.FetchError as exc:
            if exc.status is None:
                raise TelegramApiError(redact(exc.reason), retryable=exc.retryable) from None
            description = redact(_description(exc.body) or f"HTTP {exc.status}")[:500]
            raise TelegramApiError(f"Telegram {exc.status}: {description}", error_code=exc.status,
                                   retryable=exc.status == 429 or exc.status >= 500) from None

    def _file_url(self, path: str | None) -> str:
        """The download URL of getFile's `path`. PTB prefixes it with the base file URL unless
        the path names a file on this machine, which its File.download would then read from
        disk: a relative path is always fetched from the Bot API server; an absolute one (a
        local Bot API server's own disk, which it does not serve over HTTP) is refused."""
        base = self._bot.base_file_url
        relative = (path or "").removeprefix(f"{base}/")
        if not relative or relative.startswith("/"):
            raise TelegramApiError("Telegram gave no downloadable path for this file", retryable=False)
        return f"{base}/{quote(relative, safe='/')}"

    def send_text(self, chat_id: int | str, text: str, *,
                  buttons: list[list[tuple[str, str]]] | None = None) -> Message:
        """Send `text` to `chat_id`, with `buttons` (rows of (label, callback data)) as an inline
        keyboard under it; returns the sent Message."""
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data) for label, data in row]
                                       for row in buttons]) if buttons else None
        return self._run(self._bot.send_message(chat_id, text, reply_markup=markup))

    def send_file(self, chat_id: int | str, file: Attachment, *, caption: str | None = None) -> Message:
        """Send `file` as a photo (JPEG/PNG up to 10 MB) or else as a document; returns the Message."""
        upload = InputFile(file.content, filename=file.filename)
        wait = max(self.timeout, 120.0)
        if file.content_type in ("image/jpeg", "image/png") and len(file.content) <= MAX_PHOTO_BYTES:
            return self._run(self._bot.send_photo(chat_id, upload, caption=caption, read_timeout=wait))
        return self._run(self._bot.send_document(chat_id, upload, caption=caption, read_timeout=wait))

    def answer_callback_query(self, query_id: str, text: str | None = None) -> None:
        """Answer a button press (the user's client stops its spinner and shows `text` briefly)."""
        self._run(self._bot.answer_callback_query(query_id, text=text[:200] if text else None))

    def set_webhook(self, url: str, secret_token: str) -> None:
        """Have Telegram POST updates to `url` with `secret_token` in X-Telegram-Bot-Api-Secret-Token."""
        self._run(self._bot.set_webhook(url, secret_token=secret_token, allowed_updates=list(ALLOWED_UPDATES)))

    def delete_webhook(self) -> None:
        """Stop webhook delivery (getUpdates only works without a webhook); pending updates stay."""
        self._run(self._bot.delete_webhook(drop_pending_updates=False))
