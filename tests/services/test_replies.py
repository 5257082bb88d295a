"""Replies and the outbox: stored first, delivered by a job, retried, never lost or doubled."""

from __future__ import annotations

import email

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Message, Ticket
from helpdesk.services import replies


@pytest.fixture
def ticket(inbound, smtp_server, app):
    result = inbound(email="maria@customer.example", name="María", subject="Broken login",
                     external_id="<first@customer.example>")
    return db.session.get(Ticket, result.ticket_id)


def test_reply_is_sent_by_email_threaded_on_the_customer_message(ticket, make_user, smtp_server):
    agent = make_user()
    message = replies.add_reply(ticket, agent, body="Please try again now.")
    db.session.refresh(message)
    assert message.delivery_state == "sent" and message.provider_id
    (envelope,) = smtp_server.messages
    assert envelope.rcpt_tos == ["maria@customer.example"]
    mail = email.message_from_bytes(envelope.content)
    assert mail["In-Reply-To"] == "<first@customer.example>"
    assert f"[#{ticket.number}]" in mail["Subject"] and "Broken login" in mail["Subject"]
    assert "Please try again now." in mail.get_payload(decode=True).decode()
    assert ticket.status == "open" and ticket.first_response_at is not None


def test_internal_note_is_never_sent(ticket, make_user, smtp_server):
    note = replies.add_reply(ticket, make_user(), body="customer sounds upset", internal=True)
    assert note.kind == "note" and note.delivery_state is None
    assert smtp_server.messages == [] and ticket.first_response_at is None


def test_smtp_refusing_then_accepting_sends_exactly_once(ticket, make_user, smtp_server):
    smtp_server.refuse_with = "451 4.3.0 mailbox busy, try later"
    message = replies.add_reply(ticket, make_user(), body="Reply that must not be lost")
    db.session.refresh(message)
    assert message.delivery_state == "queued" and "451" in message.delivery_error
    assert message.next_attempt_at is not None and message.delivery_attempts == 1
    smtp_server.refuse_with = None
    assert replies.deliver(message.id).state == "sent"
    assert replies.deliver(message.id).state == "sent"  # a duplicate job changes nothing
    assert len(smtp_server.messages) == 1


def test_permanent_refusal_fails_with_reason(ticket, make_user, smtp_server):
    smtp_server.refuse_with = "550 5.1.1 no such user"
    message = replies.add_reply(ticket, make_user(), body="hello")
    db.session.refresh(message)
    assert message.delivery_state == "failed" and "550" in message.delivery_error
    smtp_server.refuse_with = None
    replies.retry(message, make_user())
    db.session.refresh(message)
    assert message.delivery_state == "sent" and len(smtp_server.messages) == 1


def test_smtp_down_keeps_the_reply_queued_with_backoff(inbound, make_user, app, app_config):
    from channels.email.smtp import SmtpSettings
    from tests.support import free_port

    app.config["HELPDESK_SMTP"] = SmtpSettings(host="127.0.0.1", port=free_port(), from_address="s@h.example", timeout=2)
    ticket = db.session.get(Ticket, inbound().ticket_id)
    message = replies.add_reply(ticket, make_user(), body="kept")
    db.session.refresh(message)
    assert message.delivery_state == "queued" and message.body_text == "kept"
    assert "unreachable" in message.delivery_error


def test_backoff_doubles_and_is_capped():
    assert [replies.backoff_seconds(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert replies.backoff_seconds(50) == replies.BACKOFF_CAP_SECONDS


def test_sweeper_requeues_a_message_whose_worker_died_mid_send(ticket, make_user, smtp_server, app):
    from datetime import timedelta

    from helpdesk.models.base import utcnow

    smtp_server.refuse_with = "451 later"
    message = replies.add_reply(ticket, make_user(), body="stuck one")
    # Simulate a worker that claimed the message and died before recording the outcome.
    message.delivery_state = "sending"
    message.next_attempt_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    smtp_server.refuse_with = None
    ids = replies.stuck_messages(stuck_seconds=60)
    assert ids == [message.id]
    assert replies.deliver(message.id).state == "sent"
    assert len(smtp_server.messages) == 1


def test_empty_and_oversized_replies_are_refused_and_nothing_stored(ticket, make_user):
    agent = make_user()
    for body in ("   ", "x" * (replies.BODY_MAX + 1)):
        with pytest.raises(replies.ReplyError) as err:
            replies.add_reply(ticket, agent, body=body)
        assert err.value.field == "body"
    assert db.session.scalar(select(Message.id).where(Message.kind != "inbound")) is None


def test_crlf_in_a_header_value_is_rejected(inbound, make_user, smtp_server):
    ticket = db.session.get(Ticket, inbound(subject="ok").ticket_id)
    ticket.subject = "evil\r\nBcc: victim@example.com"
    db.session.commit()
    message = replies.add_reply(ticket, make_user(), body="hi")
    db.session.refresh(message)
    assert message.delivery_state == "failed" and "line break" in message.delivery_error
    assert smtp_server.messages == []
