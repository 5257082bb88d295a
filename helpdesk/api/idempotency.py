"""The `Idempotency-Key` header on every POST of the API (see services/idempotency).

Hooked into every ProtectedBlueprint after authentication: a POST carrying the header reserves
the key before the view runs, or answers at once with the stored answer of the first request
(same status and body, and `Idempotent-Replayed: true`); the view's answer is stored after it.
"""

from __future__ import annotations

from flask import Response, g, request
from flask_smorest import abort

from helpdesk.extensions import db
from helpdesk.services import idempotency

HEADER = "Idempotency-Key"


def _fail(status: int, message: str):
    db.session.rollback()
    abort(status, errors={"headers": {HEADER: [message]}})


def replay_or_reserve() -> Response | None:
    """Before a POST view: the stored answer of a retry, or reserve the key for this request."""
    g.pop("idempotency_key", None)
    key = request.headers.get(HEADER)
    if request.method != "POST" or key is None:
        return None
    try:
        idempotency.check_key(key)
        request_fingerprint = idempotency.fingerprint(request.method, request.path, request.query_string,
                                                      request.get_data(cache=True))
        stored = idempotency.reserve(g.api_user.id, key, request_fingerprint)
    except idempotency.KeyReused as exc:
        _fail(422, str(exc))
    except idempotency.KeyInProgress as exc:
        _fail(409, str(exc))
    except idempotency.BadKey as exc:
        _fail(422, str(exc))
    if stored is None:
        g.idempotency_key = key
        return None
    response = Response(stored.body, status=stored.status_code, content_type=stored.content_type)
    if stored.location:
        response.headers["Location"] = stored.location
    response.headers["Idempotent-Replayed"] = "true"
    return response


def remember(response: Response) -> Response:
    """After the view: store its answer for retries (a server error frees the key instead)."""
    key = g.pop("idempotency_key", None)
    if key is None:
        return response
    db.session.rollback()  # whatever the view left uncommitted is discarded at teardown anyway
    if response.status_code >= 500 or response.is_streamed:
        idempotency.release(g.api_user.id, key)
        return response
    idempotency.remember(g.api_user.id, key, idempotency.StoredAnswer(
        response.status_code, response.content_type, response.headers.get("Location"), response.get_data()))
    return response


def release_on_error(exc: BaseException | None) -> None:
    """After a request that raised past every handler: free its key so a retry can run."""
    key = g.pop("idempotency_key", None)
    if key is not None and exc is not None:
        db.session.rollback()
        idempotency.release(g.api_user.id, key)
