"""Admins hear of mail that could not be processed: a notification in the console each, and with
an SMTP server at most one summary mail a day (real mail through Dovecot in, aiosmtpd out)."""

from __future__ import annotations

import email

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.jobs.queue import huey
from helpdesk.models import FailedMail, Notification
from helpdesk.services.mail import sync as mail_sync
from tests.mail.conftest import make_mail

NO_SENDER = b"To: support@helpdesk.example\r\nSubject: Who wrote this?\r\nMessage-ID: <anon@x.example>\r\n\r\nHi\r\n"


@pytest.fixture(autouse=True)
def _no_summary_sent_today(app):
    huey.flush()  # the "sent today" mark of an earlier test in this process


def notes(user) -> list[Notification]:
    db.session.rollback()
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)))


def test_oversized_and_unparseable_mail_notify_the_admins_and_mail_them_once_a_day(
        app, mailbox, dovecot, smtp_server, make_user, client, login):
    admin, other_admin, agent = make_user("admin", groups=()), make_user("admin", groups=()), make_user("agent")
    app.config["HELPDESK_MAX_MAIL_BYTES"] = 2000
    dovecot.deliver(mailbox.user, make_mail(subject="Huge scan", body="x" * 5000))
    dovecot.deliver(mailbox.user, NO_SENDER)
    dovecot.deliver(mailbox.user, make_mail(subject="Fine"))
    report = mail_sync.sync_mailbox(mailbox.id)
    assert (report.failed, len(report.tickets)) == (2, 1)

    for user in (admin, other_admin):
        first, second = notes(user)
        assert first.kind == second.kind == "mail.failed"
        assert "Huge scan" in first.text and "over the 2000-byte limit" in first.text and mailbox.name in first.text
        assert "Who wrote this?" in second.text and "no sender" in second.text
    assert notes(agent) == []

    summaries = [email.message_from_bytes(e.content) for e in smtp_server.messages]
    assert sorted(m["To"].split("<")[-1].rstrip(">") for m in summaries) == sorted([admin.email, other_admin.email])
    body = summaries[0].get_payload(decode=True).decode()
    assert summaries[0]["Auto-Submitted"] == "auto-generated"
    assert "could not be processed" in body and "Huge scan" in body and "/admin/mail/" in body  # sent at the first

    # Later the same day: another notification, no second mail.
    dovecot.deliver(mailbox.user, make_mail(subject="Another huge one", body="y" * 5000))
    assert mail_sync.sync_mailbox(mailbox.id).failed == 1
    assert len(notes(admin)) == 3 and len(smtp_server.messages) == 2

    login(admin)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Another huge one" in page and 'href="/admin/mail/"' in page


def test_without_a_mail_server_the_notification_is_all(app, mailbox, dovecot, make_user):
    admin = make_user("admin", groups=())
    assert app.config["HELPDESK_SMTP"] is None
    dovecot.deliver(mailbox.user, NO_SENDER)
    assert mail_sync.sync_mailbox(mailbox.id).failed == 1
    (note,) = notes(admin)
    assert "Who wrote this?" in note.text


def test_mail_ignored_on_purpose_or_failing_again_notifies_nobody_again(app, mailbox, dovecot, make_user):
    admin = make_user("admin", groups=())
    dovecot.deliver(mailbox.user, make_mail(sender="mailer-daemon@relay.example", subject="Delivery status"))
    assert mail_sync.sync_mailbox(mailbox.id).skipped == 1
    assert notes(admin) == []  # kept, resolved: nothing for an admin to do

    failed = mail_sync.record_failure(mailbox.id, 7, NO_SENDER, "MailRejected: no sender")
    again = mail_sync.record_failure(mailbox.id, 7, NO_SENDER, "MailRejected: no sender")
    assert again.id == failed.id and db.session.get(FailedMail, failed.id).attempts == 2
    assert len(notes(admin)) == 1


def test_each_admin_reads_the_failed_mail_notification_in_their_language(app, mailbox, dovecot, make_user):
    admin, spanish = make_user("admin", groups=()), make_user("admin", groups=())
    spanish.language = "es"
    db.session.commit()
    dovecot.deliver(mailbox.user, NO_SENDER)
    assert mail_sync.sync_mailbox(mailbox.id).failed == 1
    (english,) = notes(admin)
    (translated,) = notes(spanish)
    assert english.text.startswith(f"Mail to {mailbox.name} could not be processed") and "Who wrote this?" in english.text
    assert translated.text.startswith(f"Un correo para {mailbox.name} no se pudo procesar")
    assert "Who wrote this?" in translated.text
