"""The local Bot API server answers python-telegram-bot (pointed at it through its base URL) as
Telegram would, so the helpdesk's Telegram tests run the library against the real wire format."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot
from telegram.error import Forbidden, RetryAfter

from tests.telegram import updates
from tests.telegram.bot_api_server import TOKEN


def ptb_bot(bot_api) -> Bot:
    return Bot(TOKEN, base_url=f"{bot_api.url}/bot", base_file_url=f"{bot_api.url}/file/bot")


def test_python_telegram_bot_reads_updates_files_and_sends(bot_api):
    bot_api.add_file("DOC1", b"%PDF-1.4", "documents/file_1.pdf")
    bot_api.push(updates.document("DOC1", "invoice.pdf", "application/pdf", 8))
    bot_api.push(updates.edited(updates.text("typo"), "fixed"))

    async def scenario():
        async with ptb_bot(bot_api) as bot:
            me = await bot.get_me()
            got = await bot.get_updates(timeout=0)
            file = await got[0].message.document.get_file()
            content = await file.download_as_bytearray()
            sent = await bot.send_message(chat_id=updates.ANA["id"], text="hello")
            confirmed = await bot.get_updates(offset=got[-1].update_id + 1, timeout=0)
            return me, got, bytes(content), sent, confirmed

    me, got, content, sent, confirmed = asyncio.run(scenario())
    assert me.username == "acme_support_bot"
    assert got[0].message.document.file_name == "invoice.pdf" and got[1].edited_message.text == "fixed"
    assert content == b"%PDF-1.4" and sent.text == "hello" and confirmed == ()
    assert bot_api.sent[0].chat_id == str(updates.ANA["id"])


def test_python_telegram_bot_understands_its_errors(bot_api, monkeypatch):
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # retry_after as a timedelta, as PTB will have it
    bot_api.fail("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    bot_api.blocked_chats.add("5")

    async def send(chat_id):
        async with ptb_bot(bot_api) as bot:
            await bot.send_message(chat_id=chat_id, text="x")

    with pytest.raises(RetryAfter, match="Retry in 0:00:03"):
        asyncio.run(send(1))
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        asyncio.run(send(5))
