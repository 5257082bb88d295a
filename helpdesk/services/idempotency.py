"""Idempotency keys for the API: a POST retried with the same key gets the first answer again.

A key belongs to one staff member and lasts WINDOW. The first request with a key reserves it
(a row without a status, committed before the work starts, so a concurrent retry in another
process sees it); when that request has answered, its status and body are stored on the row. A
retry with the same key and the same request (method, path, query and body) gets that answer;
the same key with another request is refused (KeyReused); a retry while the first request is
still running, or after it died before answering, is refused too (KeyInProgress): its outcome is
unknown, and running it again could do the work twice.

Stored answers can carry secrets (a new API token is shown once, in its answer), so they are
sealed with the key derived from the secret key (services.secrets), and requests are told apart
by an HMAC keyed the same way, so a database dump shows neither answers nor a hash of a password
sent in a request.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from helpdesk.extensions import db
from helpdesk.models import IdempotencyKey
from helpdesk.models.base import utcnow
from helpdesk.services import secrets
from helpdesk.services.transactions import begin_write

WINDOW = timedelta(hours=24)
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII: what clients send (UUIDs, ULIDs, ...)


class IdempotencyError(ValueError):
    """An idempotency key that cannot be honoured; the message says why."""


class BadKey(IdempotencyError):
    """The key is empty, too long or not printable ASCII."""


class KeyReused(IdempotencyError):
    """The key was first used with a different request."""


class KeyInProgress(IdempotencyError):
    """The first request with this key has not answered (still running, or it died)."""


@dataclass(frozen=True)
class StoredAnswer:
    status_code: int
    content_type: str | None
    location: str | None
    body: bytes


def check_key(key: str) -> str:
    """`key` if well-formed; else BadKey."""
    if not _KEY.match(key):
        raise BadKey("must be 1 to 255 visible ASCII characters")
    return key


def fingerprint(method: str, path: str, query: bytes, body: bytes) -> str:
    """What makes two requests the same request, as an HMAC keyed by the secret key."""
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), digestmod=hashlib.sha256)
    for part in (method.encode(), path.encode(), query, body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def reserve(user_id: int, key: str, request_fingerprint: str) -> StoredAnswer | None:
    """None when this request is the first with `key` (the key is now reserved for it; call
    `remember` or `release` when it has answered); the stored answer when it is a retry of a
    request that answered. KeyReused / KeyInProgress otherwise. Commits."""
    begin_write()
    now = utcnow()
    db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < now - WINDOW))
    row = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == user_id,
                                                         IdempotencyKey.key == key))
    if row is None:
        db.session.add(IdempotencyKey(user_id=user_id, key=key, fingerprint=request_fingerprint, created_at=now))
        try:
            db.session.commit()
            return None
        except IntegrityError:  # a concurrent request with the same key reserved it first
            db.session.rollback()
            raise KeyInProgress("a request with this Idempotency-Key is still being processed") from None
    answer = _answer_of(row, request_fingerprint)
    db.session.commit()
    return answer


def _answer_of(row: IdempotencyKey, request_fingerprint: str) -> StoredAnswer:
    if row.fingerprint != request_fingerprint:
        raise KeyReused("was already used with a different request; use a new key for a new request")
    if row.status_code is None:
        raise KeyInProgress("a request with this Idempotency-Key is still being processed, or was interrupted; "
                            "check whether it took effect before sending it again with a new key")
    try:
        body = base64.b64decode(secrets.unseal(row.body.decode())) if row.body else b""
    except secrets.SecretUnreadable:
        raise KeyInProgress("the first answer to this Idempotency-Key can no longer be read (the secret key "
                            "changed); check whether it took effect before sending it again with a new key") from None
    return StoredAnswer(row.status_code, row.content_type, row.location, body)


def remember(user_id: int, key: str, answer: StoredAnswer) -> None:
    """Store the answer of the request that reserved `key`; commits."""
    begin_write()
    db.session.execute(update(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
                       .values(status_code=answer.status_code, content_type=answer.content_type,
                               location=answer.location,
                               body=secrets.seal(base64.b64encode(answer.body).decode()).encode()))
    db.session.commit()


def release(user_id: int, key: str) -> None:
    """Forget a reservation whose request failed on our side (5xx): a retry may run it again; commits."""
    begin_write()
    db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key,
                                                    IdempotencyKey.status_code.is_(None)))
    db.session.commit()
