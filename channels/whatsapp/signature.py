"""How Meta authenticates its webhooks (WhatsApp and Messenger alike): the subscription handshake
and the `X-Hub-Signature-256` HMAC over the raw request body."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping


def sign(body: bytes, app_secret: str) -> str:
    """The `X-Hub-Signature-256` value Meta sends with `body`: "sha256=" and the hex HMAC-SHA256."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(body: bytes, header: str | None, app_secret: str) -> bool:
    """True when `header` is the signature of the raw `body` under `app_secret` (constant time)."""
    if not header or not app_secret:
        return False
    return hmac.compare_digest(sign(body, app_secret).encode(), header.strip().lower().encode("ascii", "replace"))


def handshake_challenge(params: Mapping[str, str], verify_token: str) -> str | None:
    """The `hub.challenge` to echo when `params` are a subscription request carrying our
    `verify_token` (compared in constant time); None when the request must be refused."""
    if params.get("hub.mode") != "subscribe" or not verify_token:
        return None
    offered = (params.get("hub.verify_token") or "").encode()
    if not hmac.compare_digest(offered, verify_token.encode()):
        return None
    return params.get("hub.challenge")
