"""Password rules, hashing (scrypt) and changes.

A password is at least 12 characters and not one of the commonly used ones (a list shipped with
the app, compared case-insensitively and without surrounding spaces).
"""

from __future__ import annotations

import functools
from pathlib import Path

from werkzeug.security import generate_password_hash

PASSWORD_MIN = 12
PASSWORD_MAX = 1024
COMMON_LIST = Path(__file__).with_name("common_passwords.txt")


class PasswordRejected(ValueError):
    """The password does not meet the rules; the message says why (shown to the user)."""


@functools.cache
def _common() -> frozenset[str]:
    lines = COMMON_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def check(password: str) -> None:
    """Raise PasswordRejected unless `password` may be used."""
    if len(password) < PASSWORD_MIN:
        raise PasswordRejected(f"must be at least {PASSWORD_MIN} characters")
    if len(password) > PASSWORD_MAX:
        raise PasswordRejected(f"must be at most {PASSWORD_MAX} characters")
    if password.strip().lower() in _common():
        raise PasswordRejected("is one of the most common passwords; choose another")


def hashed(password: str) -> str:
    """The scrypt hash of a password that passed `check`."""
    check(password)
    return generate_password_hash(password, method="scrypt")
