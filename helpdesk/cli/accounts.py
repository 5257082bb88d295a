"""`helpdesk users …` and `helpdesk tokens …` beyond creating: list, switch off and on, change
role and groups, set a password, list and revoke tokens. Changes apply to live connections at
once (through Redis when it is configured; within a second on the embedded server otherwise)."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext

from helpdesk.cli import tokens, users
from helpdesk.extensions import db
from helpdesk.models import ApiToken
from helpdesk.services import audit
from helpdesk.services.accounts import password_changes
from helpdesk.services.accounts import tokens as api_tokens
from helpdesk.services.accounts import users as accounts
from helpdesk.services.staff import StaffError


def _user(email: str):
    user = accounts.find(email)
    if user is None:
        raise click.UsageError(f"no user {email}")
    return user


def _row(user) -> dict:
    return {"id": user.id, "email": user.email, **accounts.describe(user), "two_factor": user.totp_enabled,
            "last_login_at": user.last_login_at.isoformat() + "Z" if user.last_login_at else None}


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON array instead of a table.")
@with_appcontext
def list_users(as_json) -> None:
    """Every staff member: e-mail, name, role, groups, on or off."""
    rows = [_row(u) for u in accounts.list_users()]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        state = "active" if row["active"] else "off"
        second = "2fa" if row["two_factor"] else "-"
        click.echo(f"{row['id']:>5}  {row['email']:<32} {row['role']:<10} {state:<6} {second:<4} "
                   f"{row['last_login_at'] or 'never':<28} {','.join(row['groups'])}  {row['name']}")


def _update(email: str, **changes) -> None:
    user = _user(email)
    try:
        accounts.update_user(user, audit.CLI, **changes)
    except StaffError as exc:
        db.session.rollback()
        raise click.UsageError(str(exc)) from None
    click.echo(json.dumps(_row(user)))


@users.command("disable")
@click.option("--email", required=True)
@with_appcontext
def disable(email) -> None:
    """Switch a user off: sessions, API tokens and live connections end at once."""
    _update(email, active=False)


@users.command("enable")
@click.option("--email", required=True)
@with_appcontext
def enable(email) -> None:
    """Switch a user back on (their old API tokens stay revoked)."""
    _update(email, active=True)


@users.command("update")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(["admin", "supervisor", "agent"]))
@click.option("--group", "groups", multiple=True, help="The user's groups (replacing them); repeatable.")
@with_appcontext
def update(email, role, groups) -> None:
    """Change a user's role and/or groups."""
    changes = {}
    if role:
        changes["role"] = role
    if groups:
        changes["groups"] = list(groups)
    if not changes:
        raise click.UsageError("nothing to change: give --role and/or --group")
    _update(email, **changes)


@users.command("set-password")
@click.option("--email", required=True)
@click.option("--password-stdin", is_flag=True, required=True, help="Read the password from standard input.")
@with_appcontext
def set_password(email, password_stdin) -> None:
    """Set a user's password (their sessions end)."""
    user = _user(email)
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        password_changes.set_password(user, password, audit.CLI)
    except password_changes.PasswordRejected as exc:
        raise click.UsageError(f"password: {exc}") from None
    click.echo(f"password set for {user.email}")


@tokens.command("list")
@click.option("--email", required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON array instead of a table.")
@with_appcontext
def list_tokens(email, as_json) -> None:
    """A user's API tokens, revoked ones too (never the secrets)."""
    rows = [api_tokens.describe(t) for t in api_tokens.tokens_of(_user(email))]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        state = "active" if row["active"] else f"revoked {row['revoked_at']}"
        click.echo(f"{row['id']:>5}  {row['name']:<24} created {row['created_at']}  last used "
                   f"{row['last_used_at'] or 'never'} {row['last_used_ip'] or ''}  {state}")


@tokens.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def revoke(token_id) -> None:
    """Revoke an API token by its id (see `tokens list`)."""
    row = db.session.get(ApiToken, token_id) if 0 < token_id < 2**31 else None
    if row is None:
        raise click.UsageError(f"no token {token_id}")
    api_tokens.revoke(row, audit.CLI)
    click.echo(f"revoked token {row.id} ({row.name}) of {row.user.email}")
