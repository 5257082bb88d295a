"""A small synchronous client of the Telegram Bot API (https://core.telegram.org/bots/api).

Synchronous on purpose: it runs in the outbox worker, the polling listener and webhook requests,
all plain threads. python-telegram-bot's `Bot` is asyncio-only, so every call there would need an
event loop of its own and a fresh HTTP client bound to it; here one `httpx.Client` serves a
whole polling pass or delivery.

The bot token is part of every Bot API URL, so it must never reach a log line or an error
message: errors are built from our own words and Telegram's `description`, `redact` scrubs
anything else, and a filter on the `httpx` logger (which logs request URLs) masks tokens.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any
from urllib.parse import quote

import httpx

from channels import safe_fetch
from channels.base import Attachment

DEFAULT_API_URL = "https://api.telegram.org"
# Bot tokens are "<bot id>:<35 characters>"; the length keeps ids such as "chat:message" unmasked.
TOKEN_PATTERN = re.compile(r"\d{1,20}:[A-Za-z0-9_-]{30,100}")
_TOKEN_IN_TEXT = re.compile(r"(?<![A-Za-z0-9_-])(bot)?" + TOKEN_PATTERN.pattern)
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # the Bot API serves files up to 20 MB
ALLOWED_UPDATES = ("message", "edited_message", "callback_query")


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


logging.getLogger("httpx").addFilter(_RedactTokens())


class TelegramApiError(Exception):
    """A Bot API call failed. `retryable` says whether the same call may succeed later
    (rate limits, server errors, network trouble); `retry_after` is Telegram's own wait, if given."""

    def __init__(self, reason: str, *, retryable: bool, error_code: int | None = None,
                 retry_after: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.error_code = error_code
        self.retry_after = retry_after


def _error_from(status: int, body: Any) -> TelegramApiError:
    body = body if isinstance(body, dict) else {}
    code = body.get("error_code") if isinstance(body.get("error_code"), int) else status
    description = redact(str(body.get("description") or f"HTTP {status}"))[:500]
    parameters = body.get("parameters") if isinstance(body.get("parameters"), dict) else {}
    retry_after = parameters.get("retry_after")
    if code == 429:
        wait = int(retry_after) if isinstance(retry_after, int) else None
        return TelegramApiError(f"Telegram rate limit ({description})", retryable=True, error_code=code,
                                retry_after=wait)
    if code == 401 or code == 404:
        return TelegramApiError(f"the bot token was refused ({code} {description})", retryable=False, error_code=code)
    return TelegramApiError(f"Telegram {code}: {description}", retryable=code >= 500, error_code=code)


class BotApi:
    """One bot's Bot API endpoint. Use as a context manager, or call `close()`."""

    def __init__(self, token: str, *, api_url: str = DEFAULT_API_URL, timeout: float = 30.0) -> None:
        if not TOKEN_PATTERN.fullmatch(token or ""):
            raise TelegramApiError("this is not a bot token (expected <digits>:<letters>)", retryable=False)
        self._token = token
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout
        self._client = httpx.Client(timeout=timeout, follow_redirects=False)

    def __repr__(self) -> str:  # never the token
        return f"BotApi({self.api_url!r})"

    def __enter__(self) -> BotApi:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()

    def call(self, method: str, params: dict[str, Any] | None = None, *,
             files: dict[str, Attachment] | None = None, timeout: float | None = None) -> Any:
        """Call `method` with `params` (JSON, or multipart when `files` are sent); returns its
        `result`. TelegramApiError (with the token removed) when it fails."""
        url = f"{self.api_url}/bot{self._token}/{method}"
        try:
            if files:
                form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in (params or {}).items()}
                parts = {k: (f.filename, f.content, f.content_type) for k, f in files.items()}
                response = self._client.post(url, data=form, files=parts, timeout=timeout or self.timeout)
            else:
                response = self._client.post(url, json=params or {}, timeout=timeout or self.timeout)
        except httpx.HTTPError as exc:
            raise TelegramApiError(f"Telegram unreachable ({exc.__class__.__name__}: {redact(str(exc))[:200]})",
                                   retryable=True) from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code == 200 and isinstance(body, dict) and body.get("ok") is True:
            return body.get("result")
        raise _error_from(response.status_code, body)

    def get_me(self) -> dict[str, Any]:
        """The bot itself (id, username, first_name...): checks the token."""
        return self.call("getMe")

    def get_updates(self, offset: int | None, *, timeout: int = 0, limit: int = 100) -> list[dict[str, Any]]:
        """Updates from `offset` on (which confirms every earlier one); waits up to `timeout` s."""
        params: dict[str, Any] = {"timeout": timeout, "limit": limit, "allowed_updates": list(ALLOWED_UPDATES)}
        if offset is not None:
            params["offset"] = offset
        result = self.call("getUpdates", params, timeout=self.timeout + timeout)
        return [u for u in result if isinstance(u, dict)] if isinstance(result, list) else []

    def download(self, file_id: str, *, max_bytes: int = MAX_DOWNLOAD_BYTES) -> bytes:
        """The bytes of a file a user sent (getFile, then the /file/bot<token>/<path> download).
        A file over `max_bytes` fails without being read in full."""
        info = self.call("getFile", {"file_id": file_id})
        path = info.get("file_path") if isinstance(info, dict) else None
        if not path:
            raise TelegramApiError("Telegram gave no path for this file", retryable=False)
        if isinstance(info.get("file_size"), int) and info["file_size"] > max_bytes:
            raise TelegramApiError(f"the file is larger than {max_bytes} bytes", retryable=False)
        try:
            # file_path comes from the API's answer: fetched by the safe-fetch rules, this bot's
            # API server being the one base allowed to be plain http or a private address.
            return safe_fetch.fetch(f"{self.api_url}/file/bot{self._token}/{quote(path, safe='/')}", max_bytes=max_bytes,
                                    timeout=max(self.timeout, 60), trusted_base=self.api_url).content
        except safe_fetch.FetchError as exc:
            if exc.status is not None:
                raise _error_from(exc.status, _json_or_none(exc.body)) from None
            raise TelegramApiError(redact(exc.reason), retryable=exc.retryable) from None

    def send_message(self, chat_id: int | str, text: str, *, reply_to: int | None = None,
                     buttons: list[list[tuple[str, str]]] | None = None) -> dict[str, Any]:
        """Send `text` to `chat_id`, with `buttons` (rows of (label, callback data)) as an inline
        keyboard under it; returns the sent Message."""
        params: dict[str, Any] = {"chat_id": chat_id, "text": text}
        if reply_to is not None:
            params["reply_parameters"] = {"message_id": reply_to, "allow_sending_without_reply": True}
        if buttons:
            params["reply_markup"] = {"inline_keyboard": [[{"text": label, "callback_data": data} for label, data in row]
                                                          for row in buttons]}
        return self.call("sendMessage", params)

    def answer_callback_query(self, query_id: str, text: str | None = None) -> None:
        """Answer a button press (the user's client stops its spinner and shows `text` briefly)."""
        self.call("answerCallbackQuery", {"callback_query_id": query_id} | ({"text": text[:200]} if text else {}))

    def send_file(self, chat_id: int | str, file: Attachment, *, caption: str | None = None) -> dict[str, Any]:
        """Send `file` as a photo (JPEG/PNG up to 10 MB) or else as a document; returns the Message."""
        as_photo = file.content_type in ("image/jpeg", "image/png") and len(file.content) <= 10 * 1024 * 1024
        method, field = ("sendPhoto", "photo") if as_photo else ("sendDocument", "document")
        params: dict[str, Any] = {"chat_id": str(chat_id)}
        if caption:
            params["caption"] = caption
        return self.call(method, params, files={field: file}, timeout=max(self.timeout, 120))

    def set_webhook(self, url: str, secret_token: str) -> None:
        """Have Telegram POST updates to `url` with `secret_token` in X-Telegram-Bot-Api-Secret-Token."""
        self.call("setWebhook", {"url": url, "secret_token": secret_token,
                                 "allowed_updates": list(ALLOWED_UPDATES)})

    def delete_webhook(self) -> None:
        """Stop webhook delivery (getUpdates only works without a webhook); pending updates stay."""
        self.call("deleteWebhook", {"drop_pending_updates": False})


def _json_or_none(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None
