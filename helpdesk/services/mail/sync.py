"""Bringing a mailbox's new mail in: fetch by UID, turn each message into a ticket, then flag it.

At-least-once in, exactly-once effect: a message is flagged on the server and `last_uid` moves
past it only after its ticket (or its failed-mail record) is committed. A crash anywhere before
that fetches it again next time, and ingestion, idempotent on the Message-ID, stores it once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app
from imapclient.exceptions import IMAPClientError
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from channels.email.imap import FetchedMail, ImapError, ImapMailbox
from helpdesk.extensions import db
from helpdesk.models import FailedMail, Mailbox
from helpdesk.models.base import utcnow
from helpdesk.services import attachments, events
from helpdesk.services.mail import alerts, mailboxes
from helpdesk.services.mail import inbound as mail_inbound
from helpdesk.services.transactions import begin_write, is_busy, retry_when_busy

log = logging.getLogger(__name__)
BUSY_ERROR = "database busy (locked by another writer); the rest is read on the next pass"


@dataclass
class SyncReport:
    """What one pass over one mailbox did."""

    mailbox: str
    fetched: int = 0
    tickets: list[int] = field(default_factory=list)
    duplicates: int = 0
    skipped: int = 0
    failed: int = 0
    error: str | None = None


def _reset_if_uidvalidity_changed(mailbox: Mailbox, uidvalidity: int) -> None:
    """A new UIDVALIDITY means every UID was renumbered: start from zero (idempotency on the
    Message-ID makes the re-read harmless)."""
    if mailbox.uidvalidity != uidvalidity:
        if mailbox.uidvalidity is not None:
            log.warning("mailbox %s: UIDVALIDITY changed %s -> %s, re-reading the folder",
                        mailbox.name, mailbox.uidvalidity, uidvalidity)
        mailbox.uidvalidity = uidvalidity
        mailbox.last_uid = 0
        db.session.commit()


@retry_when_busy
def record_failure(mailbox_id: int, uid: int | None, raw: bytes, error: str, *, resolved: bool = False) -> FailedMail:
    """Keep `raw` on disk with the error, once per distinct message (a repeat counts an attempt).
    `resolved` records mail that needs no admin (ignored on purpose) but must still be kept."""
    import hashlib

    digest = hashlib.sha256(raw).hexdigest()
    begin_write()  # it reads, then writes: take the write lock first (see transactions)
    existing = db.session.scalar(select(FailedMail).where(FailedMail.mailbox_id == mailbox_id,
                                                          FailedMail.sha256 == digest))
    if existing is not None:
        existing.attempts += 1
        existing.error = error[:10_000]
        existing.last_attempt_at = utcnow()
        db.session.commit()
        return existing
    key, _ = attachments.write_blob(raw)
    headers = mail_inbound.peek_headers(raw)
    failed = FailedMail(mailbox_id=mailbox_id, uid=uid, storage_key=key, size=len(raw), sha256=digest,
                        message_id_header=headers.get("message-id"), subject=headers.get("subject"),
                        error=error[:10_000], resolved_at=utcnow() if resolved else None)
    db.session.add(failed)
    if not resolved:  # it waits for an admin: tell them, in the same transaction
        alerts.notify_admins(failed, db.session.get(Mailbox, mailbox_id).name)
    db.session.flush()
    payload = {"failed_mail_id": failed.id, "mailbox_id": mailbox_id}
    db.session.commit()
    if not resolved:
        events.publish("mail.failed", payload)
    return failed


def take(mailbox: Mailbox, raw: bytes, *, uid: int | None = None, size: int | None = None,
         context: mail_inbound.Context | None = None) -> tuple[str, int | None]:
    """Turn one message into a ticket message, or keep it in the failed-mail store; committed
    either way, so nothing received can vanish. Returns (what happened, ticket id): "ticket",
    "duplicate", "ignored" (kept, resolved: it may not open a ticket and joined none) or "failed".
    A lock timeout is no fault of the mail: it propagates (OperationalError), nothing is recorded,
    and the mail, left unflagged on the server, is taken again on the next pass."""
    limit = current_app.config["HELPDESK_MAX_MAIL_BYTES"]
    try:
        if max(size or 0, len(raw)) > limit:
            raise mail_inbound.MailRejected(f"message is {max(size or 0, len(raw))} bytes, over the {limit}-byte limit")
        outcome = mail_inbound.receive(raw, mailbox, context)
    except Exception as exc:  # noqa: BLE001 - whatever went wrong, the mail is kept, never dropped
        db.session.rollback()
        if is_busy(exc):
            raise
        log.warning("mailbox %s uid %s failed: %s", mailbox.name, uid, exc.__class__.__name__)
        record_failure(mailbox.id, uid, raw, f"{exc.__class__.__name__}: {exc}")
        return "failed", None
    if outcome.ticket_id is None:
        record_failure(mailbox.id, uid, raw, f"ignored: {outcome.reason}", resolved=True)
        return "ignored", None
    return ("duplicate" if outcome.duplicate else "ticket"), outcome.ticket_id


def _process(mailbox: Mailbox, mail: FetchedMail, report: SyncReport, context: mail_inbound.Context) -> None:
    _count(report, *take(mailbox, mail.raw, uid=mail.uid, size=mail.size, context=context))


def _count(report: SyncReport, what: str, ticket_id: int | None) -> None:
    if what == "failed":
        report.failed += 1
    elif what == "ignored":
        report.skipped += 1
    elif what == "duplicate":
        report.duplicates += 1
    else:
        report.tickets.append(ticket_id)


def _take_together(mailbox: Mailbox, mails: list[FetchedMail], report: SyncReport,
                   context: mail_inbound.Context) -> bool:
    """Store `mails` in one transaction (far cheaper than one commit each). False, with nothing
    stored, when they must be taken one by one: one of them is over the size limit, a delivery
    report, or fails (then the others must not be lost with it, nor the bad one hold them back)."""
    if any(max(mail.size or 0, len(mail.raw)) > context.max_bytes for mail in mails):
        return False
    try:
        outcomes = mail_inbound.receive_many([mail.raw for mail in mails], mailbox, context)
    except Exception as exc:  # noqa: BLE001 - the batch is rolled back; one by one finds the bad mail
        db.session.rollback()
        if is_busy(exc):
            raise  # the database, not a mail: the pass ends and the next one takes the batch again
        log.info("mailbox %s: a batch of %d failed (%s), taking them one by one",
                 mailbox.name, len(mails), exc.__class__.__name__)
        return False
    if outcomes is None:
        return False
    for mail, outcome in zip(mails, outcomes, strict=True):
        report.fetched += 1
        if outcome.ticket_id is None:
            record_failure(mailbox.id, mail.uid, mail.raw, f"ignored: {outcome.reason}", resolved=True)
            _count(report, "ignored", None)
        else:
            _count(report, "duplicate" if outcome.duplicate else "ticket", outcome.ticket_id)
    return True


def _advance(mailbox_id: int, uid: int) -> None:
    db.session.execute(update(Mailbox).where(Mailbox.id == mailbox_id, Mailbox.last_uid < uid).values(last_uid=uid))
    db.session.commit()


def sync_with(imap: ImapMailbox, mailbox_id: int) -> SyncReport:
    """One full pass over an open connection: every message above the last committed UID."""
    mailbox = db.session.get(Mailbox, mailbox_id)
    report = SyncReport(mailbox=mailbox.name)
    try:
        _reset_if_uidvalidity_changed(mailbox, imap.select().uidvalidity)
        context = mail_inbound.context_for(mailbox)
        for batch in imap.fetch_batches(imap.pending_uids(mailbox.last_uid)):
            if not _take_together(mailbox, batch, report, context):
                for mail in batch:
                    report.fetched += 1
                    _process(mailbox, mail, report, context)
            # Everything in the batch is committed: flag it on the server, then remember how far we got.
            imap.mark_done([mail.uid for mail in batch])
            if batch:
                _advance(mailbox.id, batch[-1].uid)
    except ImapError as exc:
        report.error = exc.reason
    except (OSError, IMAPClientError) as exc:  # the connection dropped mid-pass
        report.error = f"connection lost: {exc.__class__.__name__}"
    except OperationalError as exc:
        db.session.rollback()
        if not is_busy(exc):
            raise
        # Everything committed so far is flagged; the rest stays unflagged and is read again.
        report.error = BUSY_ERROR
        log.warning("mailbox %s: the database stayed locked; the rest is taken on the next pass", report.mailbox)
    _finish(mailbox_id, report.error)
    return report


def sync_mailbox(mailbox_id: int, *, connect: Callable[..., ImapMailbox] = ImapMailbox) -> SyncReport:
    """Connect, make one full pass, disconnect (for `helpdesk listen --once` and cron)."""
    mailbox = db.session.get(Mailbox, mailbox_id)
    settings = mailboxes.imap_settings(mailbox)
    name = mailbox.name
    db.session.commit()  # hold no read snapshot while talking to the network
    try:
        with connect(settings) as imap:
            return sync_with(imap, mailbox_id)
    except ImapError as exc:
        _finish(mailbox_id, exc.reason)
        return SyncReport(mailbox=name, error=exc.reason)


def _finish(mailbox_id: int, error: str | None) -> None:
    """Note when the mailbox was read and how it went (for the admin page): bookkeeping, which a
    database that stays locked may skip (the next pass writes it)."""
    try:
        _note_sync(mailbox_id, error)
    except OperationalError as exc:
        if not is_busy(exc):
            raise
        log.warning("mailbox %s: could not note the pass, the database stayed locked", mailbox_id)


@retry_when_busy
def _note_sync(mailbox_id: int, error: str | None) -> None:
    db.session.execute(update(Mailbox).where(Mailbox.id == mailbox_id)
                       .values(last_sync_at=utcnow(), last_error=error[:1000] if error else None))
    db.session.commit()


def reprocess(failed_id: int) -> FailedMail:
    """Try a failed message again (after a fix, or after the error was transient)."""
    failed = db.session.get(FailedMail, failed_id)
    if failed is None:
        raise LookupError(f"no failed mail {failed_id}")
    if failed.resolved_at is not None:
        return failed
    raw = attachments.path_for(failed.storage_key).read_bytes()
    mailbox = db.session.get(Mailbox, failed.mailbox_id)
    try:
        outcome = mail_inbound.receive(raw, mailbox)
    except Exception as exc:  # noqa: BLE001 - recorded for the admin, as on first arrival
        db.session.rollback()
        failed = db.session.get(FailedMail, failed_id)
        failed.attempts += 1
        failed.error = f"{exc.__class__.__name__}: {exc}"[:10_000]
        failed.last_attempt_at = utcnow()
        db.session.commit()
        return failed
    failed = db.session.get(FailedMail, failed_id)
    failed.resolved_at = utcnow()
    failed.ticket_id = outcome.ticket_id
    db.session.commit()
    return failed


def open_failures() -> list[FailedMail]:
    """Failed mail not yet reprocessed successfully, oldest first."""
    return list(db.session.scalars(select(FailedMail).where(FailedMail.resolved_at.is_(None)).order_by(FailedMail.id)))
