"""Agent replies leave through the outbox with sendMessage/sendDocument; failures show their state."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from channels.base import Attachment
from helpdesk.extensions import db
from helpdesk.models import Message, Ticket
from helpdesk.models.base import utcnow
from helpdesk.services import replies
from helpdesk.services.telegram import polling as telegram_polling
from tests.telegram import updates
from tests.telegram.updates import ANA


def customer_ticket(bot, bot_api, body: str = "Is my parcel lost?") -> Ticket:
    bot_api.push(updates.text(body))
    telegram_polling.poll_bot(bot.id)
    return db.session.scalar(select(Ticket).order_by(Ticket.id.desc()))


def test_an_agent_reply_is_sent_to_the_chat_and_shown_as_sent(bot, bot_api, make_user, client, login):
    ticket = customer_ticket(bot, bot_api)
    agent = make_user()
    message = replies.add_reply(ticket, agent, body="It is on its way, arriving Monday.")
    db.session.refresh(message)
    (sent,) = bot_api.sent
    assert (sent.method, sent.chat_id, sent.text) == ("sendMessage", str(ANA["id"]), "It is on its way, arriving Monday.")
    assert message.delivery_state == "sent" and message.provider_id == f"{ANA['id']}:{sent.message_id}"
    login(agent)
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert 'data-delivery-state="sent"' in page


def test_attachments_go_as_photo_and_document_after_the_text(bot, bot_api, make_user):
    ticket = customer_ticket(bot, bot_api)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    files = (Attachment("label.png", png, "image/png"), Attachment("invoice.pdf", b"%PDF-1.4 x", "application/pdf"))
    message = replies.add_reply(ticket, make_user(), body="Here are the label and the invoice.", files=files)
    db.session.refresh(message)
    assert [s.method for s in bot_api.sent] == ["sendMessage", "sendPhoto", "sendDocument"]
    assert bot_api.sent[1].file == ("label.png", png, "image/png")
    assert bot_api.sent[2].file[:2] == ("invoice.pdf", b"%PDF-1.4 x")
    assert message.delivery_state == "sent"


def test_a_long_reply_is_split_into_messages_telegram_accepts(bot, bot_api, make_user):
    ticket = customer_ticket(bot, bot_api)
    body = "\n".join(f"Step {n}: " + " ".join(["do this carefully."] * 10) for n in range(60))
    replies.add_reply(ticket, make_user(), body=body)
    assert len(bot_api.sent) >= 3 and all(len(s.text) <= 4096 for s in bot_api.sent)
    assert "\n".join(s.text for s in bot_api.sent) == body


def test_a_user_who_blocked_the_bot_fails_the_reply_with_telegrams_reason(bot, bot_api, make_user, client, login):
    ticket = customer_ticket(bot, bot_api)
    bot_api.blocked_chats.add(str(ANA["id"]))
    agent = make_user()
    message = replies.add_reply(ticket, agent, body="Hello?")
    db.session.refresh(message)
    assert message.delivery_state == "failed"
    assert message.delivery_error == "Telegram 403: Forbidden: bot was blocked by the user"
    login(agent)
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert 'data-delivery-state="failed"' in page and "bot was blocked by the user" in page


def test_a_rate_limited_reply_stays_queued_and_goes_out_on_the_retry(bot, bot_api, make_user):
    ticket = customer_ticket(bot, bot_api)
    bot_api.fail("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    message = replies.add_reply(ticket, make_user(), body="Sorry for the wait.")
    db.session.refresh(message)
    assert message.delivery_state == "queued" and message.next_attempt_at is not None
    assert "rate limit" in message.delivery_error and "retry after 3" in message.delivery_error
    assert bot_api.sent == []
    assert replies.deliver(message.id).state == "sent"
    assert replies.deliver(message.id).state == "sent"  # a second job for it sends nothing more
    assert [s.text for s in bot_api.sent] == ["Sorry for the wait."]


def test_telegram_down_keeps_the_reply_queued(bot, bot_api, make_user):
    ticket = customer_ticket(bot, bot_api)
    bot_api.fail("sendMessage", 502, "Bad Gateway")
    message = replies.add_reply(ticket, make_user(), body="Still here.")
    db.session.refresh(message)
    assert message.delivery_state == "queued" and message.delivery_error == "Telegram 502: Bad Gateway"


def test_slash_start_is_greeted_once_through_the_outbox(bot, bot_api):
    start = bot_api.push(updates.text("/start"))
    telegram_polling.poll_bot(bot.id)
    bot.cursor = None  # as if the offset had been lost: /start comes again
    db.session.commit()
    bot_api.updates.append(start)
    telegram_polling.poll_bot(bot.id)
    ticket = db.session.scalar(select(Ticket))
    greeting = db.session.scalar(select(Message).where(Message.kind == "outbound"))
    assert ticket.subject == "New Telegram chat"
    assert greeting.is_automated and greeting.delivery_state == "sent"
    assert [s.text for s in bot_api.sent] == [greeting.body_text] and "Hello" in greeting.body_text


def test_a_rate_limit_longer_than_the_backoff_is_waited_out(bot, bot_api, make_user):
    ticket = customer_ticket(bot, bot_api)
    bot_api.fail("sendMessage", 429, "Too Many Requests: retry after 900", retry_after=900)
    before = utcnow()
    message = replies.add_reply(ticket, make_user(), body="Back soon.")
    db.session.refresh(message)
    assert message.delivery_state == "queued" and "retry after 900" in message.delivery_error
    assert message.next_attempt_at >= before + timedelta(seconds=900)
