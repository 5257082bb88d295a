"""Identity verification for widget visitors, the way Intercom and Chatwoot do it.

The customer's own site, where the visitor is signed in, computes HMAC-SHA256 of the visitor's
e-mail address with the widget's identity secret and hands it to the widget. Only then do we treat
the address as the visitor's own: anyone can type an address, nobody can sign it without the secret.
"""

from __future__ import annotations

import hashlib
import hmac


def canonical_email(email: str) -> str:
    """The form of an address that is signed and compared: trimmed, lower case."""
    return email.strip().lower()


def identity_hash(secret: str, email: str) -> str:
    """The hex HMAC-SHA256 of `email` (canonical form) under `secret`, as the customer's site computes it."""
    return hmac.new(secret.encode(), canonical_email(email).encode(), hashlib.sha256).hexdigest()


def hash_matches(secret: str | None, email: str, given: str | None) -> bool:
    """True when `given` is the identity hash of `email` under `secret`; compared in constant time."""
    if not secret or not given or not email:
        return False
    return hmac.compare_digest(identity_hash(secret, email), given.strip().lower())
