"""The customer portal (/portal/<lang>/): sign-in by a one-time link, a customer's tickets from
every channel, replies, closing and reopening, pending surveys. Views are thin; the logic is in
helpdesk.services.portal."""

from __future__ import annotations

from flask import Flask

from helpdesk.web.portal import account, privacy, tickets  # noqa: F401 - their routes join the blueprint
from helpdesk.web.portal.common import bp


def init_app(app: Flask) -> None:
    """Register the portal's blueprint."""
    app.register_blueprint(bp)
