"""The `helpdesk` console command: users, tokens, demo data, and the processes to run."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from helpdesk.services import staff


def _create_app():
    from helpdesk import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False, add_version_option=False)
def main() -> None:
    """helpdesk: omnichannel contact-center helpdesk."""


users = click.Group("users", help="Staff accounts.")
tokens = click.Group("tokens", help="API tokens.")


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["admin", "supervisor", "agent"]), required=True)
@click.option("--group", "groups", multiple=True, help="Group (team) to join; repeatable.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user(email, name, role, groups, password_stdin) -> None:
    """Create a staff user."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = staff.create_user(email=email, name=name, role=role, password=password, groups=list(groups))
    except staff.StaffError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"created {user.role} {user.email} (id {user.id})")


@tokens.command("create")
@click.option("--email", required=True)
@click.option("--name", default="cli")
@with_appcontext
def create_token(email, name) -> None:
    """Print a new API token for the user with this e-mail (shown this once)."""
    from helpdesk.services import audit
    from helpdesk.services.accounts import tokens as api_tokens
    from helpdesk.services.accounts import users as accounts

    user = accounts.find(email)
    if user is None:
        raise click.UsageError(f"no user {email}")
    try:
        _, secret = api_tokens.create(user, name, audit.CLI)
    except api_tokens.TokenError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(secret)


@click.command("demo")
@click.option("--days", type=click.IntRange(1, 90), default=30, show_default=True, help="Days of ticket history.")
@with_appcontext
def demo(days: int) -> None:
    """Load demo data (staff, SLA, channels, a month of tickets, articles) unless it is already there."""
    from helpdesk import demo as demo_data

    created = demo_data.load(days)
    if created:
        click.echo("demo data loaded")
    demo_data.print_logins(click.echo)


def _commands_without_the_app() -> None:
    # Found by FlaskGroup before it builds the app: `listen` builds its own, smaller one.
    from helpdesk.cli.mail import listen

    main.add_command(listen)


_commands_without_the_app()


def init_app(app: Flask) -> None:
    """Add the command groups to the app's CLI."""
    from helpdesk.cli import accounts, mail, serve, telegram, webchat, whatsapp  # noqa: F401 - they add commands
    from helpdesk.cli.backup import backup
    from helpdesk.cli.cti import cti
    from helpdesk.cli.i18n import i18n
    from helpdesk.cli.portal import portal
    from helpdesk.cli.privacy import attachment_commands, customer_commands, retention_commands
    from helpdesk.cli.reports import reports
    from helpdesk.cli.search import search
    from helpdesk.cli.surveys import surveys
    from helpdesk.cli.topics import topics

    for command in (users, tokens, demo, serve.run, serve.web, serve.worker, mail.channels, mail.listen, mail.mail,
                    reports, surveys, backup, search, cti, customer_commands, topics,
                    retention_commands, attachment_commands, portal, i18n):
        app.cli.add_command(command)
