"""The `helpdesk` console command: users, tokens, demo data, and the processes to run."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
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
    """Print a new API token for the user with this e-mail."""
    from sqlalchemy import select

    from helpdesk.extensions import db
    from helpdesk.models import User

    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.UsageError(f"no user {email}")
    click.echo(staff.create_token(user, name))


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Load demo data (staff, customers, tickets) unless it is already there."""
    from helpdesk import demo as demo_data

    created = demo_data.load()
    if created:
        click.echo("demo data loaded")
    demo_data.print_logins(click.echo)


def _serve(app: Flask, host: str, port: int, *, embedded: bool) -> None:
    import os

    from helpdesk.extensions import socketio

    # FlaskGroup marks the process as "run from the flask CLI", and Flask then ignores app.run()
    # (which Flask-SocketIO's threading server calls) to protect `flask run`; this command is the server.
    os.environ.pop("FLASK_RUN_FROM_CLI", None)

    if embedded:
        from helpdesk.jobs import huey

        # SQLite storage is polled: cap the idle back-off so a reply leaves within a second, not ten.
        consumer = huey.create_consumer(workers=2, worker_type="thread", periodic=True, max_delay=1.0)
        consumer.start()
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, use_reloader=False)


@click.command("run")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@with_appcontext
def run(host, port) -> None:
    """Web console, Socket.IO, jobs and channel listeners in one process (the embedded default)."""
    click.echo(f"helpdesk console on http://{host}:{port}")
    _serve(current_app._get_current_object(), host, port, embedded=True)


@click.command("web")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@with_appcontext
def web(host, port) -> None:
    """Web console and Socket.IO only (scale-out: jobs run in `helpdesk worker`)."""
    _serve(current_app._get_current_object(), host, port, embedded=False)


@click.command("worker")
@click.option("--workers", default=2, type=int)
@with_appcontext
def worker(workers) -> None:
    """Run the job consumer (outbox delivery, sweeper)."""
    from helpdesk.jobs import huey

    huey.create_consumer(workers=workers, worker_type="thread", periodic=True, max_delay=1.0).run()


def init_app(app: Flask) -> None:
    """Add the command groups to the app's CLI."""
    for command in (users, tokens, demo, run, web, worker):
        app.cli.add_command(command)
