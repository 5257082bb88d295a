"""Sessions, login loading, and the security headers every response carries."""

from __future__ import annotations

from flask import Flask, Response, request

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


def init_app(app: Flask) -> None:
    """Configure Flask-Login and add the security headers."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    login_manager.user_loader(staff.user_by_session_token)
    app.after_request(_headers)
