"""A sync pass stores each fetched batch of mail in one transaction, with the same outcomes as one by one."""

from __future__ import annotations

from sqlalchemy import func, select

from channels.email.imap import DONE_FLAG
from helpdesk.extensions import db
from helpdesk.models import FailedMail, Message, Ticket
from helpdesk.services.mail import inbound as mail_inbound
from helpdesk.services.mail import sync as mail_sync
from tests.mail.conftest import make_mail


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_batch_threads_replies_and_keeps_a_reused_message_id_within_itself(mailbox, dovecot, monkeypatch):
    batches = []
    real = mail_inbound.ingest_many
    monkeypatch.setattr(mail_inbound, "ingest_many", lambda items, **kw: batches.append(len(items)) or real(items, **kw))
    dovecot.deliver(mailbox.user, make_mail(subject="Invoice wrong", message_id="<a@customer.example>"))
    dovecot.deliver(mailbox.user, make_mail(subject="Re: Invoice wrong", message_id="<b@customer.example>",
                                            headers={"In-Reply-To": "<a@customer.example>"}))
    dovecot.deliver(mailbox.user, make_mail(subject="Other", body="Different text", message_id="<a@customer.example>"))
    dovecot.deliver(mailbox.user, make_mail(subject="Invoice wrong", message_id="<a@customer.example>"))  # a re-send
    report = mail_sync.sync_mailbox(mailbox.id)
    assert batches == [4]
    assert (report.fetched, report.duplicates, report.failed) == (4, 1, 0)
    assert count(Message) == 3 and count(Ticket) == 2  # the reply joined the first ticket; the reuse is kept
    reused = db.session.scalar(select(Message).where(Message.body_text.like("Different text%")))
    assert reused.external_id.startswith("<a@customer.example>#")
    assert all(DONE_FLAG in flags for flags in dovecot.flags(mailbox.user).values())


def test_mail_that_may_not_open_a_ticket_is_kept_as_resolved_in_a_batch(mailbox, dovecot):
    dovecot.deliver(mailbox.user, make_mail(subject="fine"))
    dovecot.deliver(mailbox.user, make_mail(sender="mailer-daemon@elsewhere.example", subject="Undeliverable"))
    report = mail_sync.sync_mailbox(mailbox.id)
    assert (report.fetched, report.skipped, len(report.tickets)) == (2, 1, 1)
    kept = db.session.scalars(select(FailedMail)).one()
    assert kept.resolved_at is not None and kept.subject == "Undeliverable" and kept.error.startswith("ignored:")


def test_a_mail_that_cannot_be_parsed_is_kept_as_failed_and_the_rest_of_its_batch_lands(mailbox, dovecot):
    dovecot.deliver(mailbox.user, make_mail(subject="before"))
    dovecot.deliver(mailbox.user, b"To: support@helpdesk.example\r\nSubject: nobody sent this\r\n\r\nno From at all\r\n")
    dovecot.deliver(mailbox.user, make_mail(subject="after", sender="other@customer.example"))
    report = mail_sync.sync_mailbox(mailbox.id)
    assert (report.fetched, report.failed, len(report.tickets)) == (3, 1, 2)
    assert "no sender address" in db.session.scalars(select(FailedMail)).one().error
    assert all(DONE_FLAG in flags for flags in dovecot.flags(mailbox.user).values())
