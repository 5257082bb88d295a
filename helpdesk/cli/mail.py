"""Commands for channels: adding mailboxes, listening for mail, and the failed-mail store."""

from __future__ import annotations

import json
import sys
import threading

import click
from flask import current_app, has_app_context
from flask.cli import with_appcontext

from channels.email.imap import SECURITY_MODES
from helpdesk.services.mail import mailboxes
from helpdesk.services.mail import sync as mail_sync

channels = click.Group("channels", help="Channel accounts: mailboxes, bots, webhooks.")
mail = click.Group("mail", help="The e-mail channel's failed-mail store.")


def _read_secret(flag: bool, what: str) -> str | None:
    """A secret from standard input (never from the command line, where `ps` and shell history see it)."""
    if not flag:
        return None
    secret = sys.stdin.readline().rstrip("\r\n")
    if not secret:
        raise click.UsageError(f"{what}: nothing on standard input")
    return secret


@channels.command("add-email")
@click.argument("name")
@click.option("--address", required=True, help="The support address this mailbox answers as.")
@click.option("--imap-host", required=True)
@click.option("--imap-port", type=int, default=993, show_default=True)
@click.option("--imap-user", required=True)
@click.option("--imap-password-stdin", is_flag=True, required=True, help="Read the IMAP password from stdin.")
@click.option("--imap-security", type=click.Choice(SECURITY_MODES), default="ssl", show_default=True)
@click.option("--imap-folder", default="INBOX", show_default=True)
@click.option("--imap-move-to", default=None, help="Move processed mail to this folder.")
@click.option("--smtp-host")
@click.option("--smtp-port", type=int)
@click.option("--smtp-user")
@click.option("--smtp-password-stdin", is_flag=True, help="Read the SMTP password from the next stdin line.")
@click.option("--smtp-security", type=click.Choice(SECURITY_MODES), default="starttls", show_default=True)
@click.option("--group", help="Group that new tickets from this mailbox go to.")
@click.option("--acknowledge", is_flag=True, help="Answer every new ticket with an acknowledgement mail.")
@with_appcontext
def add_email(name, address, imap_host, imap_port, imap_user, imap_password_stdin, imap_security, imap_folder,
              imap_move_to, smtp_host, smtp_port, smtp_user, smtp_password_stdin, smtp_security, group,
              acknowledge) -> None:
    """Add a support mailbox (IMAP in, SMTP out); passwords are stored encrypted."""
    imap_password = _read_secret(imap_password_stdin, "IMAP password")
    smtp_password = _read_secret(smtp_password_stdin, "SMTP password")
    try:
        mailbox = mailboxes.add_mailbox(
            name=name, address=address, imap_host=imap_host, imap_port=imap_port, imap_user=imap_user,
            imap_password=imap_password, imap_security=imap_security, imap_folder=imap_folder,
            imap_move_to=imap_move_to, smtp_host=smtp_host, smtp_port=smtp_port, smtp_user=smtp_user,
            smtp_password=smtp_password, smtp_security=smtp_security, group=group, acknowledge=acknowledge)
    except mailboxes.MailboxError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"added mailbox {mailbox.name} <{mailbox.address}> (id {mailbox.id})")


@click.command("listen")
@click.option("--once", is_flag=True, help="One full pass over every mailbox and bot, then exit (cron, tests).")
def listen(once) -> None:
    """Bring mail in from every active mailbox (IDLE where offered, polling otherwise) and
    updates from every long-polled Telegram bot."""
    from helpdesk.listeners.mail import start_listeners, sync_all_once
    from helpdesk.listeners.telegram import poll_all_once

    app = _listening_app()
    if once:
        failed = False
        for report in sync_all_once(app):
            click.echo(f"{report.mailbox}: {report.fetched} fetched, {len(report.tickets)} new or continued "
                       f"tickets, {report.duplicates} duplicates, {report.skipped} skipped, {report.failed} failed"
                       + (f"; error: {report.error}" if report.error else ""))
            failed = failed or bool(report.error)
        for bot in poll_all_once(app):
            click.echo(f"telegram {bot.bot}: {bot.fetched} updates, {len(bot.tickets)} new or continued tickets, "
                       f"{bot.duplicates} duplicates, {bot.skipped} skipped" + (f"; error: {bot.error}" if bot.error else ""))
            failed = failed or bool(bot.error)
        sys.exit(1 if failed else 0)
    stop = threading.Event()
    running = start_listeners(app, stop)
    click.echo(f"listening to {len(running.threads)} mailbox(es) and bot(s), and to any added later; Ctrl+C stops")
    try:
        while not stop.wait(1):
            pass
    except KeyboardInterrupt:
        stop.set()


def _listening_app():
    """The app this command runs in: the caller's (tests, `helpdesk run`), or one built for
    listening alone (`create_app(serve=False)`: no pages, no sockets; it starts in a fraction of
    the time and memory). `helpdesk listen` is a command of the `helpdesk` group itself, so the
    full app is never built for it."""
    if has_app_context():
        return current_app._get_current_object()
    from helpdesk import create_app

    app = create_app(serve=False)
    app.app_context().push()
    return app


@mail.command("failed")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def failed(as_json) -> None:
    """Mail that could not be processed and is waiting for an admin."""
    rows = [{"id": f.id, "mailbox": f.mailbox.name, "uid": f.uid, "message_id": f.message_id_header,
             "subject": f.subject, "size": f.size, "error": f.error, "attempts": f.attempts,
             "created_at": f.created_at.isoformat() + "Z"} for f in mail_sync.open_failures()]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        click.echo(f"{row['id']:>6}  {row['mailbox']}  {row['attempts']}x  {row['subject'] or '(no subject)'}: "
                   f"{row['error'][:120]}")


@mail.command("reprocess")
@click.argument("failed_id", type=int)
@with_appcontext
def reprocess(failed_id) -> None:
    """Try a failed mail again."""
    try:
        result = mail_sync.reprocess(failed_id)
    except LookupError as exc:
        raise click.UsageError(str(exc)) from None
    if result.resolved_at is None:
        click.echo(f"still failing ({result.attempts} attempts): {result.error[:500]}")
        sys.exit(1)
    click.echo(f"processed: ticket #{result.ticket_id}" if result.ticket_id else "processed: no ticket needed")
