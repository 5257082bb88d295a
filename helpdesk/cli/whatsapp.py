"""Commands for Meta's channels: adding a WhatsApp business number or a Messenger Page."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from helpdesk.cli.mail import _read_secret, channels
from helpdesk.services import messenger_pages, whatsapp_accounts
from helpdesk.services.meta_accounts import AccountError


@channels.command("add-whatsapp")
@click.argument("name")
@click.option("--phone-number-id", required=True, help="The number's id in the WhatsApp Manager (not the number).")
@click.option("--access-token-stdin", is_flag=True, required=True, help="Read the access token from stdin.")
@click.option("--app-secret-stdin", is_flag=True, required=True, help="Read the app secret from the next stdin line.")
@click.option("--verify-token", help="Token Meta sends when subscribing the webhook (generated if not given).")
@click.option("--api-base-url", help="Graph API base URL (default https://graph.facebook.com).")
@click.option("--api-version", help="Graph API version (default v21.0).")
@click.option("--group", help="Group that new tickets from this number go to.")
@with_appcontext
def add_whatsapp(name, phone_number_id, access_token_stdin, app_secret_stdin, verify_token, api_base_url,
                 api_version, group) -> None:
    """Add a WhatsApp Cloud API number; its token and app secret are stored encrypted."""
    access_token = _read_secret(access_token_stdin, "access token")
    app_secret = _read_secret(app_secret_stdin, "app secret")
    try:
        account, verify_token = whatsapp_accounts.add_account(
            name=name, phone_number_id=phone_number_id, access_token=access_token, app_secret=app_secret,
            verify_token=verify_token, api_base_url=api_base_url, api_version=api_version, group=group)
    except AccountError as exc:
        raise click.UsageError(str(exc)) from None
    _added("WhatsApp", account, verify_token)


@channels.command("add-messenger")
@click.argument("name")
@click.option("--page-id", required=True, help="The Facebook Page's numeric id.")
@click.option("--access-token-stdin", is_flag=True, required=True, help="Read the Page access token from stdin.")
@click.option("--app-secret-stdin", is_flag=True, required=True, help="Read the app secret from the next stdin line.")
@click.option("--verify-token", help="Token Meta sends when subscribing the webhook (generated if not given).")
@click.option("--api-base-url", help="Graph API base URL (default https://graph.facebook.com).")
@click.option("--api-version", help="Graph API version (default v21.0).")
@click.option("--group", help="Group that new tickets from this Page go to.")
@with_appcontext
def add_messenger(name, page_id, access_token_stdin, app_secret_stdin, verify_token, api_base_url, api_version,
                  group) -> None:
    """Add a Facebook Page for Messenger; its token and app secret are stored encrypted."""
    access_token = _read_secret(access_token_stdin, "access token")
    app_secret = _read_secret(app_secret_stdin, "app secret")
    try:
        account, verify_token = messenger_pages.add_page(
            name=name, page_id=page_id, access_token=access_token, app_secret=app_secret, verify_token=verify_token,
            api_base_url=api_base_url, api_version=api_version, group=group)
    except AccountError as exc:
        raise click.UsageError(str(exc)) from None
    _added("Messenger", account, verify_token)


def _added(what: str, account, verify_token: str) -> None:
    click.echo(f"added {what} account {account.name} (id {account.id})")
    click.echo(f"webhook callback URL: https://<your host>/webhooks/{account.kind}/{account.id}")
    click.echo(f"webhook verify token: {verify_token}")
