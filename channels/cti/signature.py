"""How a CTI webhook is authenticated: `X-Helpdesk-Signature` is the HMAC-SHA256 of the raw
request body under the account's shared secret, in hex, optionally prefixed with "sha256="
(the GitHub/Meta spelling), any case."""

from __future__ import annotations

import hashlib
import hmac

HEADER = "X-Helpdesk-Signature"


def sign(body: bytes, secret: str) -> str:
    """The header value for `body`: "sha256=" and the lower-case hex HMAC-SHA256."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def valid(body: bytes, header: str | None, secret: str) -> bool:
    """True when `header` signs the raw `body` under `secret` (constant-time comparison)."""
    if not header or not secret:
        return False
    given = header.strip().lower()
    given = given[len("sha256="):] if given.startswith("sha256=") else given
    expected = sign(body, secret)[len("sha256="):]
    return hmac.compare_digest(expected.encode(), given.encode("ascii", "replace"))
