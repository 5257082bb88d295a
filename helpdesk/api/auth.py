"""Bearer-token authentication for every API view.

The API reads `Authorization: Bearer <token>` and nothing else: a browser's session cookie never
authenticates an API call, which is what makes exempting the API from CSRF protection safe.
"""

from __future__ import annotations

from flask import g, request
from flask_smorest import Blueprint, abort

from helpdesk.api import idempotency
from helpdesk.api.errors import json_errors
from helpdesk.api.json_input import StrictJsonParser
from helpdesk.models import User
from helpdesk.security import bearer_token
from helpdesk.services import staff

SCHEME_NAME = "bearerAuth"
SECURITY_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "An API token (`helpdesk tokens create --email ...`), sent as `Authorization: Bearer <token>`. "
                   "Session cookies are ignored.",
}


def authenticate() -> None:
    """Before every API view: the token's user goes to `g.api_user`, or the request ends in 401."""
    g.api_user = None
    user = staff.user_for_token(bearer_token(), request.remote_addr)
    if user is None:
        abort(401, message="send a valid API token as 'Authorization: Bearer <token>'",
              headers={"WWW-Authenticate": 'Bearer realm="helpdesk"'})
    g.api_user = user


def current_staff() -> User:
    """The staff member the request's token belongs to."""
    return g.api_user


class ProtectedBlueprint(Blueprint):
    """A blueprint whose every view needs a token (documented as a possible 401), honours an
    `Idempotency-Key` header on POST and answers errors in JSON. JSON bodies are read strictly
    (see helpdesk.api.json_input)."""

    ARGUMENTS_PARSER = StrictJsonParser()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.before_request(authenticate)
        self.before_request(idempotency.replay_or_reserve)
        self.after_request(idempotency.remember)
        self.teardown_request(idempotency.release_on_error)
        json_errors(self)
        self._prepare_doc_cbks.append(self._document_unauthorized)

    def arguments(self, schema, **kwargs):
        """flask-smorest's `arguments`, with one schema instance for every request: given a class,
        webargs built a new instance, deep-copying its fields, on each request (8 % of a ticket
        list's CPU)."""
        return super().arguments(schema() if isinstance(schema, type) else schema, **kwargs)

    @staticmethod
    def _document_unauthorized(doc: dict, doc_info: dict, **kwargs) -> dict:
        doc.setdefault("responses", {})[401] = "UNAUTHORIZED"  # flask-smorest's registered response
        return doc
