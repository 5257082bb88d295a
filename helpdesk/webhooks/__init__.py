"""Webhooks that providers call (Telegram, WhatsApp/Messenger): outside CSRF, authenticated by the
provider's own signature or secret, answering 2xx only after what they carry is committed."""

from __future__ import annotations

import importlib

from flask import Flask

from helpdesk.extensions import csrf

# Each module defines `bp`, a Blueprint under /webhooks/<channel>/...
MODULES: tuple[str, ...] = ("telegram", "whatsapp", "messenger", "cti")


def init_app(app: Flask) -> None:
    """Register every channel's webhook blueprint, exempt from CSRF (providers sign their calls)."""
    for name in MODULES:
        blueprint = importlib.import_module(f"helpdesk.webhooks.{name}").bp
        csrf.exempt(blueprint)
        app.register_blueprint(blueprint)
