"""Commands for the phone line: adding a CTI account (`helpdesk channels add-cti`) and the
Asterisk Manager Interface bridge (`helpdesk cti asterisk`)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from helpdesk.cli.mail import _read_secret, channels
from helpdesk.services.calls import accounts

cti = click.Group("cti", help="The phone line: bridges from a PBX to the CTI webhook.")


@channels.command("add-cti")
@click.argument("name")
@click.option("--secret-stdin", is_flag=True, required=True, help="Read the shared webhook secret from stdin.")
@click.option("--group", help="The phone group: calls of unknown queues ring for it, missed calls become its tickets.")
@click.option("--region", help="Two-letter region for national numbers (ES, US...).")
@click.option("--queue", "queues", multiple=True, help="QUEUE=GROUP: a PBX queue rings for that group; repeatable.")
@click.option("--extension", "extensions", multiple=True, help="EXT=E-MAIL: who answers on an extension; repeatable.")
@with_appcontext
def add_cti(name, secret_stdin, group, region, queues, extensions) -> None:
    """Add a CTI account (a PBX reporting its calls); prints the webhook URL to configure."""
    secret = _read_secret(secret_stdin, "secret")
    try:
        account = accounts.add_account(name=name, secret=secret, group=group, region=region, queues=list(queues),
                                       extensions=list(extensions))
    except accounts.CtiAccountError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"added CTI account {account.name} (id {account.id})")
    click.echo(f"webhook URL: https://<your host>/webhooks/cti/{account.id}")
    click.echo("sign each body: X-Helpdesk-Signature: sha256=<hex HMAC-SHA256 of the body with the secret>")
