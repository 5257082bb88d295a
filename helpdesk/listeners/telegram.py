"""Long-polling listeners for Telegram bots: one thread per bot in polling mode.

Each thread long-polls getUpdates (Telegram answers as soon as an update arrives, or after the
wait) while this process holds the bot's lease (see leadership), so across any number of
`helpdesk listen` processes exactly one polls a bot: two pollers would make Telegram answer one
of them with 409 Conflict. Failures back off, doubling up to five minutes.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from flask import Flask

from helpdesk.listeners.leases import Lease, lease_for
from helpdesk.services import channel_accounts

if TYPE_CHECKING:
    from helpdesk.services.telegram.polling import PollReport

log = logging.getLogger(__name__)

WAIT_SECONDS = 25  # how long one getUpdates call waits for an update (long polling)
BACKOFF_MAX_SECONDS = 300


def listen_to_bot(app: Flask, account_id: int, stop: threading.Event, *, wait_seconds: float = WAIT_SECONDS) -> None:
    """Poll bot `account_id` until `stop` is set, while holding its lease. `stop` is noticed
    between passes, so at most `wait_seconds` after it is set."""
    with lease_for(f"telegram:{account_id}", app.config.get("HELPDESK_REDIS_URL")) as lease:
        _poll(app, account_id, stop, lease, lease.within(wait_seconds))


def _poll(app: Flask, account_id: int, stop: threading.Event, lease: Lease, wait_seconds: float) -> None:
    from helpdesk.services.telegram import polling as telegram_polling  # the Bot API library, when a bot is read

    backoff = 1.0
    while not stop.is_set():
        if not lease.hold():
            stop.wait(min(wait_seconds, 10))  # another process is the leader; be ready to take over
            continue
        try:
            with app.app_context():
                report = telegram_polling.poll_bot(account_id, wait_seconds=int(wait_seconds))
            error = report.error
        except Exception as exc:  # noqa: BLE001 - a listener must outlive any one bad pass
            log.exception("telegram bot %s: polling pass failed", account_id)
            error = exc.__class__.__name__
        if error is None:
            backoff = 1.0
            if not report.fetched:
                stop.wait(0.5)  # Telegram answered before the wait was over; do not spin
            continue
        log.warning("telegram bot %s: %s; retrying in %.0f s", account_id, error, backoff)
        stop.wait(backoff)
        backoff = min(backoff * 2, BACKOFF_MAX_SECONDS)


def poll_all_once(app: Flask) -> list[PollReport]:
    """One getUpdates pass over every long-polled bot, without waiting (`helpdesk listen --once`)."""
    with app.app_context():
        if not channel_accounts.any_active("telegram"):
            return []  # no bot: the Bot API library is not even loaded
        from helpdesk.services.telegram import polling as telegram_polling

        return telegram_polling.poll_all_once()
