"""Commands for the Telegram channel: adding a bot and switching how its updates arrive."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from channels.telegram.client import DEFAULT_API_URL
from helpdesk.cli.mail import _read_secret, channels
from helpdesk.services.telegram import bots as telegram_bots


@channels.command("add-telegram")
@click.argument("name")
@click.option("--token-stdin", is_flag=True, required=True, help="Read the bot token (from @BotFather) from stdin.")
@click.option("--webhook-url", help="The helpdesk's public https base URL: Telegram then POSTs updates to "
                                    "<URL>/webhooks/telegram/<id>. Without it the bot is long-polled.")
@click.option("--group", help="Group that new tickets from this bot go to.")
@click.option("--api-url", default=DEFAULT_API_URL, show_default=True, help="Bot API server.")
@click.option("--reopen-solved/--new-after-solved", default=True, show_default=True,
              help="Whether a chat's next message reopens its solved ticket or starts a new one.")
@click.option("--greeting", help="The answer to /start.")
@with_appcontext
def add_telegram(name, token_stdin, webhook_url, group, api_url, reopen_solved, greeting) -> None:
    """Add a Telegram bot; its token is checked with getMe and stored encrypted."""
    token = _read_secret(token_stdin, "bot token")
    try:
        bot = telegram_bots.add_bot(name=name, token=token, webhook_url=webhook_url, group=group, api_url=api_url,
                                    reopen_solved=reopen_solved, greeting=greeting)
    except telegram_bots.BotError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"added Telegram bot {bot.name} @{bot.settings.get('bot_username')} (id {bot.id})")
    _echo_mode(bot)


@channels.command("telegram-mode")
@click.argument("name")
@click.option("--webhook-url", help="Public https base URL for webhook mode; without it: long polling.")
@with_appcontext
def telegram_mode(name, webhook_url) -> None:
    """Switch a bot between webhook mode and long polling."""
    bot = next((b for b in telegram_bots.active_bots() if b.name == name), None)
    if bot is None:
        raise click.UsageError(f"no active Telegram bot named {name!r}")
    try:
        telegram_bots.set_mode(bot, webhook_url)
    except telegram_bots.BotError as exc:
        raise click.UsageError(str(exc)) from None
    _echo_mode(bot)


def _echo_mode(bot) -> None:
    if bot.settings.get("mode") == "webhook":
        click.echo(f"webhook: Telegram posts updates to {bot.settings['webhook_url']}")
    else:
        click.echo("long polling: `helpdesk run` or `helpdesk listen` fetches updates")
