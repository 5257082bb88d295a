"""Multilingual knowledge base: articles, search, help center, agent suggestions, deflection.

`init_app(app)` is the one hook the application factory calls.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the models, the help center, the console pages, the API and the event subscribers."""
    from helpdesk.services import events
    from knowledge_base import activity, console, console_admin, help_center, i18n, models  # noqa: F401 - models: tables
    from knowledge_base import api as kb_api
    from knowledge_base import cli as kb_cli
    from knowledge_base.schema import chain_include_name

    migrate_config = app.extensions.get("migrate")
    if migrate_config is not None:
        args = migrate_config.configure_args
        args["include_name"] = chain_include_name(args.get("include_name"))
    i18n.init_app(app)
    for blueprint in (help_center.bp, console.bp, console_admin.bp):
        app.register_blueprint(blueprint)
    app.jinja_env.globals.update(kb_visitor=help_center.visitor, kb_language=help_center.browser_language)
    kb_api.init_app(app)
    app.cli.add_command(kb_cli.kb)
    events.message_created.connect(activity.on_message_created, weak=False)
    events.ticket_created.connect(activity.on_ticket_created, weak=False)
