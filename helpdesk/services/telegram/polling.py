"""Long polling: fetch a bot's updates with getUpdates and store them, advancing the offset
(`ChannelAccount.cursor`) only after each update is committed.

Telegram keeps every update until a getUpdates call names a higher offset, so a crash after an
update's commit and before the offset is saved brings that update again, where ingestion's
idempotency drops it. An update that cannot be stored for now (a file download failing, the
database busy) ends the pass before it; the next pass tries it again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import update

from channels.telegram.client import TelegramApiError, redact
from helpdesk.extensions import db
from helpdesk.models import ChannelAccount
from helpdesk.models.base import utcnow
from helpdesk.services.telegram import bots as telegram_bots
from helpdesk.services.telegram.inbound import receive_update

log = logging.getLogger(__name__)


@dataclass
class PollReport:
    """What one getUpdates pass over one bot did."""

    bot: str
    fetched: int = 0
    tickets: set[int] = field(default_factory=set)
    duplicates: int = 0
    skipped: int = 0
    error: str | None = None


def save_cursor(account_id: int, offset: int) -> None:
    """Remember that every update before `offset` is stored (commits)."""
    db.session.execute(update(ChannelAccount).where(ChannelAccount.id == account_id)
                       .values(cursor=str(offset), last_seen_at=utcnow(), last_error=None))
    db.session.commit()


def _record_error(account_id: int, error: str) -> None:
    db.session.rollback()
    db.session.execute(update(ChannelAccount).where(ChannelAccount.id == account_id).values(last_error=error[:1000]))
    db.session.commit()


def poll_bot(account_id: int, *, wait_seconds: int = 0) -> PollReport:
    """One getUpdates pass for bot `account_id`, waiting up to `wait_seconds` for the first
    update (long polling); stores what came and returns what happened. Errors are reported
    (and kept as the bot's last_error), not raised."""
    account = telegram_bots.get_bot(account_id)
    report = PollReport(bot=account.name)
    offset = int(account.cursor) if (account.cursor or "").isdigit() else None
    try:
        with telegram_bots.bot_client(account, timeout=30.0) as bot:
            updates = sorted(bot.get_updates(offset, timeout=wait_seconds),
                             key=lambda u: u.update_id if isinstance(u.update_id, int) else -1)
            report.fetched = len(updates)
            for item in updates:
                update_id = item.update_id
                if not isinstance(update_id, int) or (offset is not None and update_id < offset):
                    continue  # no update id to confirm it by, or already stored
                outcome = receive_update(account, item, bot)
                if outcome.ticket_id is not None:
                    report.tickets.add(outcome.ticket_id)
                report.duplicates += outcome.duplicate
                report.skipped += outcome.skipped is not None
                save_cursor(account_id, update_id + 1)
    except TelegramApiError as exc:
        report.error = _explain(exc)
    except Exception as exc:  # noqa: BLE001 - one bad update must not take the listener down
        log.exception("telegram bot %s: an update could not be stored", account_id)
        report.error = redact(f"{exc.__class__.__name__}: {exc}")[:500]
    if report.error:
        _record_error(account_id, report.error)
    return report


def _explain(exc: TelegramApiError) -> str:
    if exc.error_code == 409:
        return f"{exc.reason}; the bot has a webhook (or another poller): set it to polling with no webhook"
    return exc.reason


def poll_all_once() -> list[PollReport]:
    """One pass over every active bot in polling mode, without waiting (`helpdesk listen --once`)."""
    return [poll_bot(account.id) for account in telegram_bots.active_bots("polling")]
