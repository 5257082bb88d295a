"""Sessions, login loading, the security headers every response carries, and the strict JSON
reader every request body goes through."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, Response, request
from flask.json.provider import DefaultJSONProvider

from helpdesk.extensions import login_manager
from helpdesk.services import staff

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self' ws: wss:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


MAX_JSON_DEPTH = 64  # providers' payloads nest about 8 deep, the API's 3
_SURROGATE = re.compile("[\ud800-\udfff]")


class JsonRejected(ValueError):
    """JSON that parses but that nothing here can take: nested too deep, a lone UTF-16 surrogate
    (which no database or UTF-8 encoder accepts), NaN or Infinity."""


def _refuse_constant(name: str) -> Any:
    raise JsonRejected(f"{name} is not a JSON number")


def load_json(data: str | bytes) -> Any:
    """The value of the JSON document `data`; ValueError (JsonRejected or json.JSONDecodeError)
    when it is not JSON or is JSON no handler may be given (see JsonRejected). Every JSON body the
    app reads goes through here, so such input is a 400, never a 500 deep inside a handler."""
    try:
        value = json.loads(data, parse_constant=_refuse_constant)
    except RecursionError:
        raise JsonRejected(f"nested deeper than {MAX_JSON_DEPTH} levels") from None
    pending: list[tuple[Any, int]] = [(value, 0)]  # a loop, not recursion: the depth is what is checked
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise JsonRejected("a string holds a lone UTF-16 surrogate (\\ud800-\\udfff)")
        elif isinstance(item, dict | list):
            if depth >= MAX_JSON_DEPTH:
                raise JsonRejected(f"nested deeper than {MAX_JSON_DEPTH} levels")
            children = list(item.values()) if isinstance(item, dict) else item
            pending += [(key, depth) for key in item] if isinstance(item, dict) else []  # keys are strings
            pending += [(child, depth + 1) for child in children]
    return value


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading through `load_json` (request.get_json answers 400 on what it refuses)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return load_json(s)


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer …` header, if the request has one."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


# What may be cached (by browsers and proxies): answers that are the same for everyone and carry no
# customer data. Everything else (console, API, webhooks, chat, surveys, attachments) is no-store,
# so a shared computer's back button or a proxy never shows one person's data to another.
_CACHEABLE_ENDPOINTS = frozenset({"static", "widget.script", "widget.source_map"})
_CACHEABLE_BLUEPRINTS = ("help.",)  # the public help center


def _cacheable(endpoint: str | None) -> bool:
    return endpoint is not None and (endpoint in _CACHEABLE_ENDPOINTS or endpoint.startswith(_CACHEABLE_BLUEPRINTS))


def _headers(response: Response) -> Response:
    if not _cacheable(request.endpoint) and "no-store" not in response.headers.get("Cache-Control", ""):
        response.headers["Cache-Control"] = "no-store"
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    return response


def _load_user(token: str):
    """The signed-in staff member: the user's session token (rotated when they are switched off)
    and this browser's own session, which ends when signed out, ended from another device, idle
    for HELPDESK_SESSION_IDLE_MINUTES or older than HELPDESK_SESSION_MAX_HOURS."""
    from datetime import timedelta

    from flask import current_app, session

    from helpdesk.services.accounts import sessions

    user = staff.user_by_session_token(token)
    if user is None:
        return None
    config = current_app.config
    row = sessions.check(user, session.get("sid"), idle=timedelta(minutes=config["HELPDESK_SESSION_IDLE_MINUTES"]),
                         absolute=timedelta(hours=config["HELPDESK_SESSION_MAX_HOURS"]))
    return user if row is not None else None


def init_app(app: Flask) -> None:
    """Configure Flask-Login and add the security headers."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    login_manager.user_loader(_load_user)
    app.json = StrictJSONProvider(app)
    app.after_request(_headers)
    _audit_settings()


def _acting_user_id(user) -> int | None:
    """The id of a loaded staff member without touching the database (this runs inside a flush)."""
    from sqlalchemy import inspect

    from helpdesk.models import User

    if not isinstance(user, User):
        return None
    identity = inspect(user).identity
    return identity[0] if identity else None


def _audit_actor():
    """Who is acting, for the audit log: the API token's user or the signed-in user and the
    client's address during a request, the command line inside a `helpdesk` command, else the
    system (jobs, listeners)."""
    import click
    from flask import g, has_request_context

    from helpdesk.services import audit

    if has_request_context():
        api_user_id = _acting_user_id(g.get("api_user"))
        if api_user_id is not None:
            return audit.Actor(api_user_id, request.remote_addr, "api")
        via = "api" if request.path.startswith("/api/") else "web"
        return audit.Actor(_acting_user_id(g.get("_login_user")), request.remote_addr, via)
    if click.get_current_context(silent=True) is not None:
        return audit.CLI
    return audit.SYSTEM


def _audit_settings() -> None:
    """Every change of these settings is written to the audit log, whatever code path makes it."""
    from helpdesk.models import (
        AgentCapacity,
        AgentSkill,
        ChannelAccount,
        CustomField,
        Group,
        GroupRouting,
        Macro,
        Mailbox,
        PriorityRule,
        SlaCalendar,
        SlaPolicyConfig,
        SurveySettings,
        SurveyTemplate,
        Trigger,
        Webhook,
    )
    from helpdesk.models.automation import Automation
    from helpdesk.services import audit

    audit.set_actor_source(_audit_actor)
    audit.watch({Group: "group", PriorityRule: "rule", SlaPolicyConfig: "sla_policy", SlaCalendar: "sla_calendar",
                 ChannelAccount: "channel", Mailbox: "mailbox", Macro: "macro", SurveySettings: "survey_settings",
                 SurveyTemplate: "survey_template", GroupRouting: "group_routing", AgentCapacity: "agent_capacity",
                 AgentSkill: "agent_skill", Trigger: "trigger", CustomField: "custom_field",
                 Automation: "automation", Webhook: "webhook"})
