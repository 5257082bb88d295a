"""A conversation by e-mail end to end: Dovecot in, aiosmtpd out, threading, loops and bounces."""

from __future__ import annotations

import email

from sqlalchemy import func, select

from channels.email import message_ids
from helpdesk.extensions import db
from helpdesk.models import Customer, Message, Ticket
from helpdesk.services import replies
from helpdesk.services.mail import mailboxes
from helpdesk.services.mail import sync as mail_sync
from tests.mail.conftest import make_mail


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def sent(smtp_server) -> list[email.message.Message]:
    return [email.message_from_bytes(envelope.content) for envelope in smtp_server.messages]


def open_ticket(mailbox, dovecot, **mail) -> Ticket:
    dovecot.deliver(mailbox.user, make_mail(**mail))
    (ticket_id,) = mail_sync.sync_mailbox(mailbox.id).tickets
    return db.session.get(Ticket, ticket_id)


def test_reply_goes_out_threaded_and_the_answer_comes_back_to_the_ticket(mailbox, dovecot, smtp_server, make_user):
    ticket = open_ticket(mailbox, dovecot, message_id="<first@customer.example>", subject="Broken login")
    assert ticket.channel == "email" and ticket.customer.primary_email == "maria@customer.example"
    replies.add_reply(ticket, make_user(), body="Please try again now.")
    (ours,) = sent(smtp_server)
    assert ours["In-Reply-To"] == "<first@customer.example>" and mailbox.address in ours["From"]
    assert f"[#{ticket.number}]" in ours["Subject"] and ours["Auto-Submitted"] is None
    assert message_ids.verify(ours["Message-ID"], mailboxes.message_id_key()) is not None

    dovecot.deliver(mailbox.user, make_mail(subject=f"Re: {ours['Subject']}", body="Works now, thanks!",
                                            headers={"In-Reply-To": ours["Message-ID"],
                                                     "References": f"<first@customer.example> {ours['Message-ID']}"}))
    report = mail_sync.sync_mailbox(mailbox.id)
    assert report.tickets == [ticket.id] and count(Ticket) == 1
    assert [m.kind for m in db.session.scalars(select(Message).where(Message.ticket_id == ticket.id))] == [
        "inbound", "outbound", "inbound"]


def test_our_own_mail_coming_back_never_opens_a_ticket(mailbox, dovecot, smtp_server):
    looped = make_mail(sender=mailbox.address, subject="Re: something")
    genuine_id = message_ids.make(77, "helpdesk.example", mailboxes.message_id_key())
    bounced_copy = make_mail(sender="relay@partner.example", message_id=genuine_id)
    dovecot.deliver(mailbox.user, looped)
    dovecot.deliver(mailbox.user, bounced_copy)
    report = mail_sync.sync_mailbox(mailbox.id)
    assert report.skipped == 2 and count(Ticket) == 0


def test_a_forged_id_in_our_format_is_just_customer_mail(mailbox, dovecot):
    forged = "<hd.77.AAAAAAAA.0123456789abcdef@helpdesk.example>"
    ticket = open_ticket(mailbox, dovecot, message_id=forged, subject="Looks like yours")
    assert ticket.subject == "Looks like yours"


def test_acknowledgement_is_sent_once_per_new_ticket_and_capped_per_hour(mailbox, dovecot, smtp_server):
    mailbox.acknowledge = True
    db.session.commit()
    for n in range(4):
        dovecot.deliver(mailbox.user, make_mail(subject=f"Question {n}"))
    assert len(mail_sync.sync_mailbox(mailbox.id).tickets) == 4
    acks = sent(smtp_server)
    assert len(acks) == 3  # the default cap: three automatic answers per customer and hour
    assert all(a["Auto-Submitted"] == "auto-replied" and "Question" in a.get_payload(decode=True).decode() for a in acks)


def test_auto_replies_are_stored_but_never_answered(mailbox, dovecot, smtp_server):
    mailbox.acknowledge = True
    db.session.commit()
    ticket = open_ticket(mailbox, dovecot, message_id="<q@customer.example>")
    (ack,) = sent(smtp_server)
    dovecot.deliver(mailbox.user, make_mail(subject="Out of office", headers={
        "Auto-Submitted": "auto-replied", "In-Reply-To": ack["Message-ID"]}))
    report = mail_sync.sync_mailbox(mailbox.id)
    assert report.tickets == [ticket.id] and len(sent(smtp_server)) == 1
    auto = db.session.scalars(select(Message).where(Message.ticket_id == ticket.id).order_by(Message.id.desc())).first()
    assert auto.is_automated and auto.kind == "inbound"


def dsn(original_id: str, recipient: str) -> bytes:
    """A delivery status notification (RFC 3464) as Postfix writes it."""
    return f"""\
From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>
To: support@helpdesk.example
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn-{abs(hash(original_id))}@mx.customer.example>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B1"

--B1
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<{recipient}>: host mx.customer.example said: 550 5.1.1 user unknown

--B1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.customer.example

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 user unknown

--B1
Content-Type: text/rfc822-headers

Message-ID: {original_id}
From: support@helpdesk.example
To: {recipient}
Subject: Re: hello

--B1--
""".replace("\n", "\r\n").encode()


def test_a_bounce_marks_the_reply_failed_and_joins_its_ticket(mailbox, dovecot, smtp_server, make_user):
    ticket = open_ticket(mailbox, dovecot, sender="gone@customer.example")
    reply = replies.add_reply(ticket, make_user(), body="Here is the answer.")
    db.session.refresh(reply)
    customers_before = count(Customer)
    dovecot.deliver(mailbox.user, dsn(reply.provider_id, "gone@customer.example"))
    report = mail_sync.sync_mailbox(mailbox.id)
    assert report.tickets == [ticket.id] and count(Ticket) == 1 and count(Customer) == customers_before
    db.session.refresh(reply)
    assert reply.delivery_state == "failed" and "5.1.1" in reply.delivery_error


def test_a_bounce_about_nothing_we_know_is_skipped(mailbox, dovecot):
    dovecot.deliver(mailbox.user, dsn("<unknown@elsewhere.example>", "x@customer.example"))
    report = mail_sync.sync_mailbox(mailbox.id)
    assert report.skipped == 1 and count(Ticket) == 0


def test_same_message_id_twice_is_stored_once_but_different_mail_reusing_it_is_kept(mailbox, dovecot):
    dovecot.deliver(mailbox.user, make_mail(message_id="<same@customer.example>", body="first"))
    dovecot.deliver(mailbox.user, make_mail(message_id="<same@customer.example>", body="first"))
    dovecot.deliver(mailbox.user, make_mail(message_id="<same@customer.example>", body="something else"))
    report = mail_sync.sync_mailbox(mailbox.id)
    assert report.duplicates == 1 and count(Message) == 2
    assert sorted(db.session.scalars(select(Message.body_text))) == ["first", "something else"]


def test_mail_without_a_sender_goes_to_the_failed_store(mailbox, dovecot):
    dovecot.deliver(mailbox.user, b"To: support@helpdesk.example\r\nSubject: who am I\r\nMessage-ID: <anon@x>\r\n\r\nhello\r\n")
    report = mail_sync.sync_mailbox(mailbox.id)
    assert report.failed == 1 and count(Ticket) == 0
