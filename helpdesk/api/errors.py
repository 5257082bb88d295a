"""One JSON error shape for the whole API, and the mapping from service errors onto it.

Every error is `{"code": 422, "status": "Unprocessable Entity", "message": "...", "errors": {...}}`.
`errors`, when present, is keyed by where the input came from (`json`, `query`, `path`), then by
field, then a list of messages: `{"json": {"subject": ["Longer than maximum length 255."]}}`.
flask-smorest answers malformed input that way itself; service errors (TicketError, ReplyError,
CustomerError) are mapped to the same shape here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import marshmallow as ma
from flask import request
from flask_smorest import Blueprint, abort, current_api
from flask_smorest.error_handler import ErrorSchema as SmorestErrorSchema
from werkzeug.exceptions import HTTPException, default_exceptions

from helpdesk.extensions import db
from helpdesk.services.customers import CustomerError, IdentityTaken
from helpdesk.services.replies import ReplyError
from helpdesk.services.tickets import TicketError


class ErrorSchema(SmorestErrorSchema):
    """The body of every error response (documentation only)."""

    merged_into_id = ma.fields.Integer(
        metadata={"description": "On a 404 for a customer merged into another: the surviving customer's id."})


def _handle(error: HTTPException):
    return current_api.handle_http_exception(error)


def json_errors(blp: Blueprint) -> None:
    """Answer every HTTP error raised inside `blp` with JSON, whatever HTML handlers the app has."""
    for code in default_exceptions:
        blp.register_error_handler(code, _handle)


def json_errors_under(app, api, prefix: str) -> None:
    """Answer errors that belong to no view (unknown path, wrong method) under `prefix` with JSON;
    leave every other path to the handler the app had, if any."""
    previous = app.error_handler_spec[None][None].get(HTTPException)

    def handle(error: HTTPException):
        if request.path == prefix or request.path.startswith(prefix + "/"):
            return api.handle_http_exception(error)
        return previous(error) if previous else error

    app.register_error_handler(HTTPException, handle)


def fail(status: int, location: str, field: str, message: str, **extra) -> NoReturn:
    """Abort the request with `status` and one message for one field."""
    db.session.rollback()
    abort(status, errors={location: {field: [message]}}, **extra)


@contextmanager
def service_errors(location: str = "json", rename: dict[str, str] | None = None) -> Iterator[None]:
    """Turn a service's field error into a 422 (409 when an identity is taken) naming the field,
    after rolling back whatever the failed call left in the session; `rename` maps a service's
    field name to the name the API input has."""
    try:
        yield
    except (TicketError, ReplyError, CustomerError) as exc:
        status = 409 if isinstance(exc, IdentityTaken) else 422
        fail(status, location, (rename or {}).get(exc.field, exc.field), exc.message)
