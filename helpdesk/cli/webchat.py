"""Commands for the web chat channel: adding a widget to paste into a site."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from helpdesk.cli.mail import _read_secret, channels
from helpdesk.services.webchat import widgets as webchat_widgets


@channels.command("add-webchat")
@click.argument("name")
@click.option("--origin", "origins", multiple=True, required=True,
              help="A site allowed to embed the widget, e.g. https://shop.example; repeatable.")
@click.option("--group", help="Group that new chats go to.")
@click.option("--identity-secret-stdin", is_flag=True,
              help="Read the identity verification secret (the site signs visitors' e-mail with it) from stdin.")
@click.option("--greeting", help="First line of the chat panel.")
@click.option("--offline-message", help="What the panel says when no agent is online.")
@click.option("--no-prechat", is_flag=True, help="Start chatting without the name / e-mail / topic form.")
@click.option("--title", help=f"The panel's title, what visitors see (default: {webchat_widgets.DEFAULT_TITLE!r}).")
@click.option("--colour", "--color", "colour",
              help=f"The launcher's and panel's colour, e.g. #0a7d4f (default: {webchat_widgets.DEFAULT_COLOUR}).")
@click.option("--position", type=click.Choice(webchat_widgets.POSITIONS), default=webchat_widgets.POSITIONS[0],
              show_default=True, help="The corner of the page the widget sits in.")
@click.option("--base-url", help="Where visitors reach this helpdesk, for the printed tag (default: HELPDESK_PUBLIC_URL).")
@with_appcontext
def add_webchat(name, origins, group, identity_secret_stdin, greeting, offline_message, no_prechat, title, colour,
                position, base_url) -> None:
    """Add a chat widget named NAME and print the script tag to paste into the site.

    NAME is a slug (letters, digits, dot, dash, underscore) by which staff know the widget in the
    console and here; visitors never see it: they see --title.
    """
    secret = _read_secret(identity_secret_stdin, "identity secret")
    try:
        widget = webchat_widgets.add_widget(name, list(origins), group=group, identity_secret=secret, greeting=greeting,
                                            offline_message=offline_message, prechat=not no_prechat, title=title,
                                            colour=colour, position=position)
    except webchat_widgets.WidgetError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"added chat widget {widget.name} (id {widget.id}), key {widget.settings['key']}")
    click.echo(webchat_widgets.snippet(widget, base_url or current_app.config["HELPDESK_PUBLIC_URL"]))
