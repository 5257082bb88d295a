"""Our outbound Message-IDs carry an HMAC, so mail that claims to be ours can be checked.

`<hd.42.k3J9xQ.5f1c0a9b2e7d4c61@support.example>`: our message id, a random token (no two sends
share a Message-ID, retries included), and 16 hex digits of HMAC-SHA256 over both. A forged id
in our format fails `verify`, so a forged mail is never taken for one an agent sent.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

_OURS = re.compile(r"^<hd\.(\d{1,18})\.([A-Za-z0-9_-]{6,32})\.([0-9a-f]{16})@[^<>\s]+>$")


def _signature(key: bytes, message_id: int, token: str) -> str:
    return hmac.new(key, f"{message_id}.{token}".encode(), hashlib.sha256).hexdigest()[:16]


def make(message_id: int, domain: str, key: bytes) -> str:
    """A new Message-ID for our outbound message `message_id`."""
    token = secrets.token_urlsafe(6)
    return f"<hd.{message_id}.{token}.{_signature(key, message_id, token)}@{domain}>"


def verify(value: str | None, key: bytes) -> int | None:
    """Our message id when `value` is a Message-ID we made with `key`; None otherwise."""
    match = _OURS.match((value or "").strip())
    if match is None:
        return None
    message_id, token, signature = int(match.group(1)), match.group(2), match.group(3)
    return message_id if hmac.compare_digest(signature, _signature(key, message_id, token)) else None
