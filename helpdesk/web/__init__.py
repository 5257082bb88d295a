"""The server-rendered agent console."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the console blueprints."""
