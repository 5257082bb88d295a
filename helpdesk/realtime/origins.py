"""Which browser origins may open Socket.IO connections, in two layers.

The Socket.IO server's CORS check is one list for the whole server, so it admits the console's
own origin, `HELPDESK_SOCKET_ORIGINS` and every origin a chat widget may be embedded on. Each
namespace then narrows it at connect: `/agent` (staff, signed in by cookie) accepts only the
console's origins, so a shop that embeds the widget can never open the console's socket with an
agent's cookies; `/chat` accepts only the origins of the widget key it is given.
"""

from __future__ import annotations

import threading
import time

from flask import Flask, current_app

WIDGET_ORIGINS_TTL = 5.0  # seconds a widget added in the console (or by the CLI) waits to be admitted


def own_origin(environ: dict) -> str:
    """The origin the request was addressed to: the console's own."""
    return f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}"


def _console_allowed(origin: str | None, environ: dict, extra: list[str]) -> bool:
    return origin is None or origin == own_origin(environ) or origin in extra


def console_origin_allowed(environ: dict) -> bool:
    """True for a connection the console may accept: no Origin (not a browser), its own origin,
    or one listed in HELPDESK_SOCKET_ORIGINS."""
    extra = current_app.config.get("HELPDESK_SOCKET_ORIGINS") or []
    return _console_allowed(environ.get("HTTP_ORIGIN"), environ, extra)


class _WidgetOrigins:
    """The embedding origins of every active widget, re-read from the database every few seconds."""

    def __init__(self, app: Flask) -> None:
        self._app = app
        self._lock = threading.Lock()
        self._origins: set[str] = set()
        self._read_at = float("-inf")

    def __contains__(self, origin: str) -> bool:
        with self._lock:
            if time.monotonic() - self._read_at > WIDGET_ORIGINS_TTL:
                self._origins = self._read()
                self._read_at = time.monotonic()
            return origin in self._origins

    def _read(self) -> set[str]:
        from helpdesk.extensions import db
        from helpdesk.services.webchat import widgets as webchat_widgets

        with self._app.app_context():
            try:
                return webchat_widgets.embedding_origins()
            finally:
                db.session.remove()


def server_check(app: Flask):
    """The Socket.IO server's origin check (`cors_allowed_origins`): the console's origins and
    every widget's; each namespace narrows it further at connect."""
    extra = list(app.config.get("HELPDESK_SOCKET_ORIGINS") or [])
    widgets = _WidgetOrigins(app)

    def allowed(origin: str | None, environ: dict) -> bool:
        return _console_allowed(origin, environ, extra) or origin.lower() in widgets

    return allowed
