"""The bot token is in every Bot API URL: it must never reach a log line or an error message."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from channels.telegram.client import redact
from helpdesk.extensions import db
from helpdesk.models import ChannelAccount, Message, Ticket
from helpdesk.services import replies
from helpdesk.services.telegram import bots as telegram_bots
from helpdesk.services.telegram import polling as telegram_polling
from tests.support import free_port
from tests.telegram import updates
from tests.telegram.bot_api_server import TOKEN

SECRET_PART = TOKEN.partition(":")[2]


def test_no_log_line_or_error_names_the_token(bot, bot_api, make_user, caplog, monkeypatch):
    # Alembic's fileConfig (run by the migrations) disables loggers that existed before it.
    for name in ("httpx", "telegram.Bot"):
        monkeypatch.setattr(logging.getLogger(name), "disabled", False)
    caplog.set_level(logging.DEBUG)
    bot_api.add_file("F1", b"abc", "documents/file_1.txt")
    bot_api.push(updates.document("F1", "a.txt", "text/plain", 3))
    telegram_polling.poll_bot(bot.id)
    ticket = db.session.scalar(select(Ticket))
    bot_api.fail("sendMessage", 500, "Internal Server Error")
    queued = replies.add_reply(ticket, make_user(), body="one")
    bot_api.blocked_chats.add(str(updates.ANA["id"]))
    failed = replies.add_reply(ticket, make_user(), body="two")
    account = db.session.get(ChannelAccount, bot.id)
    account.settings = account.settings | {"api_url": f"http://127.0.0.1:{free_port()}"}  # Telegram unreachable
    db.session.commit()
    unreachable = telegram_polling.poll_bot(bot.id)
    late = replies.add_reply(ticket, make_user(), body="three")
    with pytest.raises(telegram_bots.BotError) as refused:
        telegram_bots.add_bot(name="other", token=TOKEN[:-1] + "X", api_url=bot_api.url)
    errors = [m.delivery_error for m in db.session.scalars(select(Message).where(Message.id.in_(
        [queued.id, failed.id, late.id])))]
    errors += [unreachable.error, db.session.get(ChannelAccount, bot.id).last_error, str(refused.value)]
    assert all(errors) and "unreachable" in unreachable.error and "refused" in str(refused.value)
    assert "HTTP Request: POST http://127.0.0.1" in caplog.text  # httpx logged the calls...
    assert "Set Bot API URL: http://127.0.0.1" in caplog.text  # ...python-telegram-bot its URLs...
    for text in [caplog.text, *errors]:
        assert SECRET_PART not in text  # ...without the token


def test_redact_masks_tokens_but_not_chat_and_message_ids():
    assert redact(f"POST https://api.telegram.org/bot{TOKEN}/sendMessage") == \
        "POST https://api.telegram.org/bot<token>/sendMessage"
    assert redact(f"token {TOKEN} leaked") == "token <token> leaked"
    assert redact("message 424242001:17 at 12:30") == "message 424242001:17 at 12:30"
