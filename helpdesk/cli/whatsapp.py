"""Commands for Meta's channels: adding a WhatsApp business number or a Messenger Page."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from helpdesk.cli.mail import _read_secret, channels
from helpdesk.services.meta import messenger_pages, whatsapp_accounts
from helpdesk.services.meta.accounts import AccountError


def _account_options(what: str):
    """The options every Meta account takes: its secrets from stdin, the webhook verify token,
    where the Graph API lives, and the group its tickets go to."""
    options = [
        click.option("--access-token-stdin", is_flag=True, required=True, help="Read the access token from stdin."),
        click.option("--app-secret-stdin", is_flag=True, required=True,
                     help="Read the app secret from the next stdin line."),
        click.option("--verify-token", help="Token Meta sends when subscribing the webhook (generated if not given)."),
        click.option("--api-base-url", help="Graph API base URL (default https://graph.facebook.com)."),
        click.option("--api-version", help="Graph API version (default v21.0)."),
        click.option("--group", help=f"Group that new tickets from this {what} go to."),
    ]

    def apply(command):
        for option in reversed(options):
            command = option(command)
        return command

    return apply


def _add(add, name: str, key: dict, options: dict) -> None:
    """Read the secrets, call `add` (a service adding an account), print where Meta must call."""
    access_token = _read_secret(options.pop("access_token_stdin"), "access token")
    app_secret = _read_secret(options.pop("app_secret_stdin"), "app secret")
    try:
        account, verify_token = add(name=name, **key, access_token=access_token, app_secret=app_secret, **options)
    except AccountError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"added {account.kind} account {account.name} (id {account.id})")
    click.echo(f"webhook callback URL: https://<your host>/webhooks/{account.kind}/{account.id}")
    click.echo(f"webhook verify token: {verify_token}")


@channels.command("add-whatsapp")
@click.argument("name")
@click.option("--phone-number-id", required=True, help="The number's id in the WhatsApp Manager (not the number).")
@_account_options("number")
@with_appcontext
def add_whatsapp(name, phone_number_id, **options) -> None:
    """Add a WhatsApp Cloud API number; its token and app secret are stored encrypted."""
    _add(whatsapp_accounts.add_account, name, {"phone_number_id": phone_number_id}, options)


@channels.command("add-messenger")
@click.argument("name")
@click.option("--page-id", required=True, help="The Facebook Page's numeric id.")
@_account_options("Page")
@with_appcontext
def add_messenger(name, page_id, **options) -> None:
    """Add a Facebook Page for Messenger; its token and app secret are stored encrypted."""
    _add(messenger_pages.add_page, name, {"page_id": page_id}, options)
