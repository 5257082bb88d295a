"""Channel listeners: long-running loops that bring mail in as it arrives.

One thread per active mailbox: it keeps an IMAP connection, syncs, then waits in IDLE (or polls
where the server has no IDLE), and reconnects with back-off when the server goes away; after a
reconnect the sync itself back-fills whatever arrived meanwhile, because it reads by UID.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask

from channels.email.imap import ImapError, ImapMailbox
from helpdesk.leadership import Lease, lease_for
from helpdesk.services import mail_sync, mailboxes
from helpdesk.telegram_listener import start_bot_listeners

log = logging.getLogger(__name__)

IDLE_SECONDS = 290  # RFC 2177: re-issue IDLE at least every 29 minutes; servers often cut sooner
POLL_SECONDS = 60
BACKOFF_MAX_SECONDS = 300


def listen_to_mailbox(app: Flask, mailbox_id: int, stop: threading.Event, *, poll_seconds: float = POLL_SECONDS,
                      idle_seconds: float = IDLE_SECONDS) -> None:
    """Sync `mailbox_id` until `stop` is set: IDLE or poll between passes, back off on errors.

    Only while this process holds the mailbox's lease (see leadership): a second listener waits
    and takes over when the first one stops renewing. `stop` is noticed between passes, so at
    most `idle_seconds` (or `poll_seconds`) after it is set.
    """
    with lease_for(f"mailbox:{mailbox_id}", app.config.get("HELPDESK_REDIS_URL")) as lease:
        # Renew well within the lease, also while waiting in IDLE.
        _listen(app, mailbox_id, stop, lease, lease.within(poll_seconds), lease.within(idle_seconds))


def _listen(app: Flask, mailbox_id: int, stop: threading.Event, lease: Lease, poll_seconds: float,
            idle_seconds: float) -> None:
    backoff = 1.0
    while not stop.is_set():
        if not lease.hold():
            stop.wait(min(poll_seconds, 10))  # another process is the leader; be ready to take over
            continue
        try:
            with app.app_context():
                settings = mailboxes.imap_settings(mailboxes.get(mailbox_id))
            with ImapMailbox(settings) as imap:
                backoff = 1.0
                while not stop.is_set() and lease.hold():
                    with app.app_context():
                        report = mail_sync.sync_with(imap, mailbox_id)
                    if report.error:
                        raise ImapError(report.error)
                    if report.fetched:
                        log.info("mailbox %s: %d fetched, %d new tickets, %d failed", report.mailbox,
                                 report.fetched, len(report.tickets), report.failed)
                    if imap.can_idle:
                        imap.wait_for_mail(idle_seconds)
                    else:
                        stop.wait(poll_seconds)
        except ImapError as exc:
            log.warning("mailbox %s: %s; retrying in %.0f s", mailbox_id, exc.reason, backoff)
        except Exception:  # noqa: BLE001 - a listener must outlive any one bad pass
            log.exception("mailbox %s: listener pass failed; retrying in %.0f s", mailbox_id, backoff)
        stop.wait(backoff)
        backoff = min(backoff * 2, BACKOFF_MAX_SECONDS)


def start_listeners(app: Flask, stop: threading.Event) -> list[threading.Thread]:
    """Start one daemon thread per active mailbox and per long-polled bot; they end when `stop` is set."""
    with app.app_context():
        ids = [m.id for m in mailboxes.active_mailboxes()]
    threads = []
    for mailbox_id in ids:
        thread = threading.Thread(target=listen_to_mailbox, args=(app, mailbox_id, stop),
                                  name=f"mailbox-{mailbox_id}", daemon=True)
        thread.start()
        threads.append(thread)
    return threads + start_bot_listeners(app, stop)


def sync_all_once(app: Flask) -> list[mail_sync.SyncReport]:
    """One full pass over every active mailbox, one after the other (`helpdesk listen --once`)."""
    with app.app_context():
        ids = [m.id for m in mailboxes.active_mailboxes()]
        return [mail_sync.sync_mailbox(mailbox_id) for mailbox_id in ids]
