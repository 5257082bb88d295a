"""Encrypting the channel credentials we must store (mailbox passwords, bot tokens).

Fernet (AES-128-CBC + HMAC-SHA256) with a key derived by HKDF from the application's secret key,
so a database dump alone reveals no password. Rotating HELPDESK_SECRET_KEY makes stored secrets
unreadable: `SecretUnreadable` then asks for them to be entered again.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

_INFO = b"helpdesk channel secrets v1"


class SecretUnreadable(ValueError):
    """A stored secret cannot be decrypted with the current secret key."""


def _fernet() -> Fernet:
    material = current_app.config["SECRET_KEY"].encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(material)
    return Fernet(base64.urlsafe_b64encode(key))


def seal(plaintext: str) -> str:
    """The encrypted, printable form of `plaintext` for storage."""
    return _fernet().encrypt(plaintext.encode()).decode()


def unseal(sealed: str) -> str:
    """The plaintext of a value made by `seal`; SecretUnreadable if the key changed or it was altered."""
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable("stored secret cannot be decrypted (was HELPDESK_SECRET_KEY changed?)") from None
