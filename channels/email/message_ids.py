"""Our outbound Message-IDs carry an HMAC, so mail that claims to be ours can be checked.

`<hd.42.k3J9xQ.5f1c0a9b2e7d4c61@support.example>`: our message id, a token, and 16 hex digits of
HMAC-SHA256 over both. The token is the message's delivery key when it has one, so every attempt
to deliver one message carries the same Message-ID (a receiver drops the copy a crash made us
send twice), else random. A forged id in our format fails `verify`, so a forged mail is never
taken for one an agent sent.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

_OURS = re.compile(r"^<hd\.(\d{1,18})\.([A-Za-z0-9_-]{6,32})\.([0-9a-f]{16})@[^<>\s]+>$")


def _signature(key: bytes, message_id: int, token: str) -> str:
    return hmac.new(key, f"{message_id}.{token}".encode(), hashlib.sha256).hexdigest()[:16]


def token_of(delivery_key: str | None) -> str:
    """The token for a delivery key (the key's letters, digits, - and _, at most 32), or a random one."""
    token = re.sub(r"[^A-Za-z0-9_-]", "", delivery_key or "")[:32]
    return token if len(token) >= 6 else secrets.token_urlsafe(6)


def make(message_id: int, domain: str, key: bytes, delivery_key: str | None = None) -> str:
    """The Message-ID of our outbound message `message_id`: the same for the same `delivery_key`."""
    token = token_of(delivery_key)
    return f"<hd.{message_id}.{token}.{_signature(key, message_id, token)}@{domain}>"


def verify(value: str | None, key: bytes) -> int | None:
    """Our message id when `value` is a Message-ID we made with `key`; None otherwise."""
    match = _OURS.match((value or "").strip())
    if match is None:
        return None
    message_id, token, signature = int(match.group(1)), match.group(2), match.group(3)
    return message_id if hmac.compare_digest(signature, _signature(key, message_id, token)) else None
