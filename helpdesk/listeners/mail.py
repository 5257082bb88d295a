"""Channel listeners: long-running loops that bring mail in as it arrives.

One thread per active mailbox: it keeps an IMAP connection, syncs, then waits in IDLE (or polls
where the server has no IDLE), and reconnects with back-off when the server goes away; after a
reconnect the sync itself back-fills whatever arrived meanwhile, because it reads by UID. Long-polled
Telegram bots get a thread each the same way (telegram_listener). `Listeners` keeps the set of
threads in step with the configuration while the process runs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from flask import Flask

from channels.email.imap import ImapError, ImapMailbox
from helpdesk.jobs.queue import deliveries_together
from helpdesk.listeners.leases import Lease, lease_for
from helpdesk.services import channel_accounts
from helpdesk.services.mail import mailboxes
from helpdesk.services.mail import sync as mail_sync

log = logging.getLogger(__name__)

IDLE_SECONDS = 290  # RFC 2177: re-issue IDLE at least every 29 minutes; servers often cut sooner
POLL_SECONDS = 60
BACKOFF_MAX_SECONDS = 300
REFRESH_SECONDS = 30  # how soon a mailbox or bot added while running gets its listener


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
                    with app.app_context(), deliveries_together():  # one job for a pass's acknowledgements
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


class Listeners:
    """This process's listener threads, kept in step with the configuration.

    Every `refresh_seconds` the set of active mailboxes and long-polled bots is read again: a
    mailbox or bot added (in the admin pages or by CLI) gets its thread without a restart, and one
    disabled, deleted or switched to webhook mode has its thread told to stop. A stopping thread
    notices between passes (at most one IDLE or poll wait); its replacement, should the account be
    enabled again meanwhile, starts only after it has ended, so one process never reads an account twice.
    """

    def __init__(self, app: Flask, stop: threading.Event, *, refresh_seconds: float = REFRESH_SECONDS,
                 idle_seconds: float = IDLE_SECONDS) -> None:
        self.app = app
        self.stop = stop
        self.refresh_seconds = refresh_seconds
        self.idle_seconds = idle_seconds
        self.running: dict[str, tuple[threading.Thread, threading.Event]] = {}
        self.supervisor = threading.Thread(target=self._supervise, name="listeners", daemon=True)

    def start(self) -> Listeners:
        self.refresh()
        self.supervisor.start()
        return self

    @property
    def threads(self) -> list[threading.Thread]:
        return [thread for thread, _ in self.running.values() if thread.is_alive()]

    def wanted(self) -> dict[str, tuple[Callable, int, dict]]:
        """Listener name -> (thread target, account id, its options), for every account to read now."""
        idle = {"idle_seconds": self.idle_seconds}
        with self.app.app_context():
            wanted = {f"mailbox-{m.id}": (listen_to_mailbox, m.id, idle) for m in mailboxes.active_mailboxes()}
            if channel_accounts.any_active("telegram"):  # only then load the Bot API library (~19 MB)
                from helpdesk.listeners.telegram import listen_to_bot
                from helpdesk.services.telegram import bots as telegram_bots

                wanted.update({f"telegram-{b.id}": (listen_to_bot, b.id, {})
                               for b in telegram_bots.active_bots("polling")})
        return wanted

    def refresh(self) -> None:
        """Start a thread for each wanted account without one; tell the others to stop."""
        wanted = self.wanted()
        for name, (thread, own_stop) in list(self.running.items()):
            if not thread.is_alive():
                del self.running[name]
            elif name not in wanted and not own_stop.is_set():
                log.info("listener %s: account no longer active; stopping", name)
                own_stop.set()
        for name, (target, account_id, options) in wanted.items():
            if name not in self.running:
                own_stop = threading.Event()
                thread = threading.Thread(target=target, args=(self.app, account_id, own_stop), kwargs=options,
                                          name=name, daemon=True)
                thread.start()
                self.running[name] = (thread, own_stop)

    def _supervise(self) -> None:
        while not self.stop.wait(self.refresh_seconds):
            try:
                self.refresh()
            except Exception:  # noqa: BLE001 - the supervisor must outlive a database hiccup
                log.exception("listeners: could not read the configuration; trying again later")
        for _, own_stop in self.running.values():
            own_stop.set()


def start_listeners(app: Flask, stop: threading.Event, **options) -> Listeners:
    """Start a listener per active mailbox and long-polled bot, and keep the set current until `stop`;
    `options` are those of `Listeners`."""
    return Listeners(app, stop, **options).start()


def sync_all_once(app: Flask) -> list[mail_sync.SyncReport]:
    """One full pass over every active mailbox, one after the other (`helpdesk listen --once`)."""
    with app.app_context():
        ids = [m.id for m in mailboxes.active_mailboxes()]
    reports = []
    for mailbox_id in ids:
        with app.app_context(), deliveries_together():  # one job for a pass's acknowledgements
            reports.append(mail_sync.sync_mailbox(mailbox_id))
    return reports
