"""Multilingual knowledge base: articles, search, help center, agent suggestions, deflection.

`init_app(app)` is the one hook the application factory calls.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the models, the help center, the console pages, the API and the event subscribers."""
    from knowledge_base import models  # noqa: F401 - the tables must be in the metadata
    from knowledge_base.schema import chain_include_name

    migrate_config = app.extensions.get("migrate")
    if migrate_config is not None:
        args = migrate_config.configure_args
        args["include_name"] = chain_include_name(args.get("include_name"))
