"""The `/api/v1` JSON API."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the API blueprints."""
