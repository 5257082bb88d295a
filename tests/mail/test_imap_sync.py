"""Mail comes in from a real Dovecot server: by UID, flagged only after commit, never lost or doubled."""

from __future__ import annotations

import json
import threading
import time

import pytest
from sqlalchemy import func, select

from channels.email.imap import DONE_FLAG
from helpdesk.extensions import db
from helpdesk.models import FailedMail, Mailbox, Message, Ticket
from helpdesk.services.mail import sync as mail_sync
from tests.mail.conftest import make_mail


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_new_mail_becomes_tickets_and_is_flagged_after_commit(mailbox, dovecot):
    for n in range(3):
        dovecot.deliver(mailbox.user, make_mail(subject=f"Question {n}", sender=f"c{n}@customer.example"))
    report = mail_sync.sync_mailbox(mailbox.id)
    assert (report.fetched, len(report.tickets), report.failed, report.error) == (3, 3, 0, None)
    assert sorted(db.session.scalars(select(Ticket.subject))) == ["Question 0", "Question 1", "Question 2"]
    assert all(DONE_FLAG in flags for flags in dovecot.flags(mailbox.user).values())
    db.session.refresh(mailbox)
    assert mailbox.last_uid == 3 and mailbox.uidvalidity and mailbox.last_error is None
    assert mail_sync.sync_mailbox(mailbox.id).fetched == 0


def test_mail_a_person_already_read_is_still_brought_in(mailbox, dovecot):
    dovecot.deliver(mailbox.user, make_mail(), flags=(b"\\Seen",))
    assert len(mail_sync.sync_mailbox(mailbox.id).tickets) == 1


def test_a_crash_after_commit_redelivers_without_duplicating(mailbox, dovecot, monkeypatch):
    from channels.email.imap import ImapMailbox

    dovecot.deliver(mailbox.user, make_mail(subject="one"))
    dovecot.deliver(mailbox.user, make_mail(subject="two"))

    def die_before_flagging(self, uids):
        raise KeyboardInterrupt("power cut: the batch is committed, nothing is flagged yet")

    monkeypatch.setattr(ImapMailbox, "mark_done", die_before_flagging)
    with pytest.raises(KeyboardInterrupt):
        mail_sync.sync_mailbox(mailbox.id)
    assert count(Ticket) == 2
    assert not any(DONE_FLAG in flags for flags in dovecot.flags(mailbox.user).values())
    monkeypatch.undo()
    report = mail_sync.sync_mailbox(mailbox.id)
    assert (report.fetched, report.duplicates, len(report.tickets)) == (2, 2, 0)
    assert count(Ticket) == 2 and count(Message) == 2
    assert all(DONE_FLAG in flags for flags in dovecot.flags(mailbox.user).values())


def test_a_new_uidvalidity_rereads_the_folder_harmlessly(mailbox, dovecot):
    dovecot.deliver(mailbox.user, make_mail())
    mail_sync.sync_mailbox(mailbox.id)
    db.session.get(Mailbox, mailbox.id).uidvalidity = 1  # as if the folder had been recreated
    db.session.commit()
    client = dovecot.client(mailbox.user)
    client.select_folder("INBOX")
    client.remove_flags(client.search("ALL"), [DONE_FLAG])
    client.logout()
    report = mail_sync.sync_mailbox(mailbox.id)
    assert report.fetched == 1 and report.duplicates == 1 and count(Ticket) == 1


def test_unprocessable_mail_is_kept_and_does_not_block_the_rest(mailbox, dovecot, monkeypatch, app):
    from helpdesk.services.mail import inbound as mail_inbound

    real_parse = mail_inbound.parse_email

    def flaky(raw, **kwargs):
        if b"poison" in raw:
            raise RuntimeError("parser bug")
        return real_parse(raw, **kwargs)

    # Both in the batch with a good mail: the batch fails, and one by one keeps the good one.
    monkeypatch.setattr(mail_inbound, "parse_email", flaky)
    dovecot.deliver(mailbox.user, make_mail(subject="poison pill"))
    dovecot.deliver(mailbox.user, make_mail(subject="fine"))
    report = mail_sync.sync_mailbox(mailbox.id)
    assert (report.failed, len(report.tickets)) == (1, 1)
    failed = db.session.scalars(select(FailedMail)).one()
    assert "parser bug" in failed.error and failed.subject == "poison pill" and failed.size > 0
    assert all(DONE_FLAG in flags for flags in dovecot.flags(mailbox.user).values())

    listing = app.test_cli_runner().invoke(args=["mail", "failed", "--json"])
    assert json.loads(listing.output)[0]["subject"] == "poison pill"
    monkeypatch.setattr(mail_inbound, "parse_email", real_parse)
    result = app.test_cli_runner().invoke(args=["mail", "reprocess", str(failed.id)])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(FailedMail, failed.id).resolved_at is not None
    assert sorted(db.session.scalars(select(Ticket.subject))) == ["fine", "poison pill"]


def test_oversized_mail_is_kept_raw_not_dropped(mailbox, dovecot, app):
    app.config["HELPDESK_MAX_MAIL_BYTES"] = 2000
    dovecot.deliver(mailbox.user, make_mail(body="x" * 5000))
    report = mail_sync.sync_mailbox(mailbox.id)
    assert report.failed == 1 and count(Ticket) == 0
    assert "over the 2000-byte limit" in db.session.scalars(select(FailedMail)).one().error


def test_wrong_password_is_reported_not_raised(mailbox, dovecot):
    from helpdesk.services import secrets

    mailbox.imap_password_secret = secrets.seal("not-the-password")  # changed on the server meanwhile
    db.session.commit()
    report = mail_sync.sync_mailbox(mailbox.id)
    assert report.error and "refused" in report.error
    assert "imap-secret" not in report.error and "not-the-password" not in report.error
    db.session.refresh(mailbox)
    assert mailbox.last_error == report.error


def test_listen_once_from_the_command_line(mailbox, dovecot, app):
    dovecot.deliver(mailbox.user, make_mail())
    result = app.test_cli_runner().invoke(args=["listen", "--once"])
    assert result.exit_code == 0, result.output
    assert "1 fetched" in result.output and count(Ticket) == 1


def test_the_listener_brings_mail_in_as_it_arrives_through_idle(mailbox, dovecot, app):
    from helpdesk.listeners.mail import listen_to_mailbox

    stop = threading.Event()
    thread = threading.Thread(target=listen_to_mailbox, args=(app, mailbox.id, stop), kwargs={"idle_seconds": 1},
                              daemon=True)
    thread.start()
    try:
        time.sleep(0.5)
        dovecot.deliver(mailbox.user, make_mail(subject="arrived while listening"))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            db.session.rollback()
            if count(Ticket):
                break
            time.sleep(0.1)
        assert db.session.scalar(select(Ticket.subject)) == "arrived while listening"
    finally:
        stop.set()
        thread.join(timeout=15)


def test_idle_wakes_up_when_mail_arrives(mailbox, dovecot):
    from channels.email.imap import ImapMailbox
    from helpdesk.services.mail import mailboxes

    with ImapMailbox(mailboxes.imap_settings(mailbox)) as imap:
        assert imap.can_idle
        timer = threading.Timer(0.5, dovecot.deliver, args=(mailbox.user, make_mail()))
        timer.start()
        started = time.monotonic()
        assert imap.wait_for_mail(20) is True
        assert time.monotonic() - started < 10  # woken by the server, not by the timeout
        timer.join()


def test_idle_waits_out_its_timeout_through_news_that_is_not_mail(mailbox, dovecot):
    """Another client flags the message while we idle: the server tells us (a FETCH), which is not
    new mail, so the wait goes on to its end."""
    from channels.email.imap import ImapMailbox
    from helpdesk.services.mail import mailboxes

    dovecot.deliver(mailbox.user, make_mail())
    other = dovecot.client(mailbox.user)
    other.select_folder("INBOX")

    def flag_soon():
        time.sleep(0.3)
        other.add_flags(other.search(), [b"\\Flagged"])

    with ImapMailbox(mailboxes.imap_settings(mailbox)) as imap:
        flagger = threading.Thread(target=flag_soon)
        started = time.monotonic()
        flagger.start()
        assert imap.wait_for_mail(1.5) is False
        assert time.monotonic() - started >= 1.4
        flagger.join()
    other.logout()


def test_idle_without_new_mail_waits_out_its_timeout(mailbox, dovecot):
    from channels.email.imap import ImapMailbox
    from helpdesk.services.mail import mailboxes

    dovecot.deliver(mailbox.user, make_mail())  # mail seen at select time is not news
    with ImapMailbox(mailboxes.imap_settings(mailbox)) as imap:
        for _ in range(2):
            started = time.monotonic()
            assert imap.wait_for_mail(1.5) is False
            assert time.monotonic() - started >= 1.4
