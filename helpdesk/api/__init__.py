"""The `/api/v1` JSON API: flask-smorest blueprints, documented at `/api/v1/openapi.json`."""

from __future__ import annotations

import threading

from flask import Flask
from flask_smorest import Api

from helpdesk.api.auth import SCHEME_NAME, SECURITY_SCHEME
from helpdesk.api.errors import ErrorSchema, json_errors_under
from helpdesk.extensions import csrf

PREFIX = "/api/v1"
DESCRIPTION = """\
The helpdesk's REST API for integrations.

**Authentication.** Every endpoint needs `Authorization: Bearer <token>` (create one with
`helpdesk tokens create --email <staff e-mail>`); the token acts as that staff member. A missing or
unknown token answers 401. Browser sessions are never accepted here.

**Errors** are JSON: `{"code": 422, "status": "Unprocessable Entity", "message": "...",
"errors": {"json": {"subject": ["Longer than maximum length 255."]}}}`. `errors` is keyed by where
the input was (`json`, `query`, `path`), then by field, then a list of messages. Malformed or
invalid input answers 422, an identity that belongs to another customer 409, an unknown id 404.
A rejected request changes nothing.

**Visibility.** Agents see the tickets of their groups, admins and supervisors every ticket; any
other ticket answers 404, exactly like a ticket that does not exist.

**Retries.** Every POST accepts an `Idempotency-Key` header (1-255 visible ASCII characters, e.g.
a UUID). Sent again by the same user within 24 hours with the same request, it answers the first
answer again (same status and body, with `Idempotent-Replayed: true`) and does nothing else; with
a different request it answers 422, and while the first request is still running 409.

**Pagination.** Lists return `{"items": [...], "next_cursor": "..."}`; pass `next_cursor` back as
`cursor` until it is null.

**Merged records.** A merged ticket stays readable, with `merged_into_id`. A merged customer
answers 404 with `merged_into_id`, the id of the customer that survived.
"""


class HelpdeskApi(Api):
    """flask-smorest's Api, with JSON errors confined to the API's own paths (the console keeps its
    HTML error pages) and `merged_into_id` passed through to error bodies."""

    ERROR_SCHEMA = ErrorSchema

    def __init__(self, *args, **kwargs):
        self._undocumented: list[tuple] = []
        self._documenting = threading.RLock()
        super().__init__(*args, **kwargs)

    # The OpenAPI document is written when it is first read, not while the app is built: documenting
    # 60 endpoints (deep copies, schema resolution) took two thirds of `create_app`, which every web
    # process, job worker and CLI command pays on start and almost none of them ever serves.
    @property
    def spec(self):
        with self._documenting:
            while self._undocumented:
                blp, name, parameters = self._undocumented.pop(0)
                blp.register_views_in_doc(self, self._app, self._spec, name=name, parameters=parameters)
                self._spec.tag({"name": name, "description": blp.description})
        return self._spec

    @spec.setter
    def spec(self, value):
        self._spec = value

    def register_blueprint(self, blp, *, parameters=None, **options):
        """What flask-smorest's `Api.register_blueprint` does, with the blueprint's documentation
        left for the first read of `spec`."""
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._undocumented.append((blp, name, parameters))

    def _register_error_handlers(self):
        json_errors_under(self._app, self, PREFIX)

    def handle_http_exception(self, error):
        """The JSON error body for `error` (see DESCRIPTION)."""
        payload, code, headers = super().handle_http_exception(error)
        merged_into_id = (getattr(error, "data", None) or {}).get("merged_into_id")
        if merged_into_id is not None:
            payload["merged_into_id"] = merged_into_id
        return payload, code, headers


def init_app(app: Flask) -> None:
    """Register the API blueprints, exempt from CSRF because they accept bearer tokens only."""
    from helpdesk.api import (
        bulk,
        call_reports,
        customers,
        drafts,
        macros,
        notifications,
        privacy,
        reports,
        search,
        sla,
        ticket_links,
        tickets,
        views,
    )

    api = HelpdeskApi(app, spec_kwargs={"info": {"description": DESCRIPTION}, "security": [{SCHEME_NAME: []}]})
    api.spec.components.security_scheme(SCHEME_NAME, SECURITY_SCHEME)
    for blp in (bulk.blp, tickets.blp, drafts.blp, macros.blp, macros.apply_blp, customers.blp, sla.blp, reports.blp, views.blp,
                notifications.blp, ticket_links.blp, search.blp, privacy.blp, call_reports.blp):
        csrf.exempt(blp)
        api.register_blueprint(blp)
    # Staff accounts and the audit log (issue 17); availability, custom fields and triggers (issue 19).
    from helpdesk.api import audit, fields, routing, triggers, users, webhooks

    for blp in (users.blp, audit.blp, routing.blp, fields.blp, triggers.blp, webhooks.blp, webhooks.automations_blp):
        csrf.exempt(blp)
        api.register_blueprint(blp)
    from helpdesk.api import topic_reports  # before reports' /<dimension> would answer 404 for it

    csrf.exempt(topic_reports.blp)
    api.register_blueprint(topic_reports.blp)
