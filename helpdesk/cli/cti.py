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


@cti.command("asterisk")
@click.option("--account", "account_name", required=True, help="The CTI account (helpdesk channels add-cti) to post as.")
@click.option("--host", required=True, help="The Asterisk Manager Interface host.")
@click.option("--port", type=int, default=5038, show_default=True)
@click.option("--user", required=True, help="The manager user (manager.conf) with read=call,agent.")
@click.option("--secret-stdin", is_flag=True, required=True, help="Read the manager user's secret from stdin.")
@click.option("--url", help="The helpdesk's base URL the webhook is under (default: HELPDESK_PUBLIC_URL).")
@click.option("--once", is_flag=True, help="Return when the AMI connection ends instead of reconnecting (tests, cron).")
@with_appcontext
def asterisk(account_name, host, port, user, secret_stdin, url, once) -> None:
    """Read call events from Asterisk's AMI and post them to the account's CTI webhook."""
    import logging

    from flask import current_app

    from channels.cti import bridge
    from channels.cti.ami import AmiError

    account = accounts.named(account_name)
    if account is None or not account.active:
        raise click.UsageError(f"no active CTI account {account_name!r}")
    ami_secret = _read_secret(secret_stdin, "secret")
    base = (url or current_app.config.get("HELPDESK_PUBLIC_URL") or "").rstrip("/")
    webhook = f"{base}/webhooks/cti/{account.id}"
    post = bridge.http_poster(webhook, accounts.secret(account))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    click.echo(f"relaying AMI {host}:{port} to {webhook}")
    try:
        report = bridge.run(host, port, user, ami_secret, post, once=once)
    except (AmiError, OSError) as exc:
        raise click.ClickException(f"AMI {host}:{port}: {exc}") from None
    click.echo(f"{report.events} AMI events, {report.posted} call events posted, {report.dropped} refused")
