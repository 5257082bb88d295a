"""Long polling against a local Bot API: updates become tickets, files attachments, and the
offset moves only after what it covers is committed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import ChannelAccount, Message, Ticket, TicketEvent
from helpdesk.services.attachments import path_for
from helpdesk.services.telegram import polling as telegram_polling
from tests.telegram import updates
from tests.telegram.updates import ANA, BEN


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def cursor(bot) -> int | None:
    value = db.session.scalar(select(ChannelAccount.cursor).where(ChannelAccount.id == bot.id))
    return int(value) if value else None


def test_text_photo_document_and_voice_become_one_ticket_with_attachments(bot, bot_api):
    bot_api.add_file("PHOTO1", b"\xff\xd8\xff\xe0" + b"jpeg" * 100, "photos/file_1.jpg")
    bot_api.add_file("DOC1", b"%PDF-1.4 invoice", "documents/file_2.pdf")
    bot_api.add_file("VOICE1", b"OggS" + b"\x00" * 60, "voice/file_3.oga")
    bot_api.push(updates.text("My order #1234 never arrived"))
    bot_api.push(updates.photo("PHOTO1", caption="the box was empty"))
    bot_api.push(updates.document("DOC1", "invoice 1234.pdf", "application/pdf", 16))
    last = bot_api.push(updates.voice("VOICE1", seconds=7))
    report = telegram_polling.poll_bot(bot.id)
    assert (report.fetched, len(report.tickets), report.duplicates, report.error) == (4, 1, 0, None)
    ticket = db.session.scalar(select(Ticket))
    assert ticket.subject == "My order #1234 never arrived" and ticket.channel == "telegram"
    assert ticket.source == f"telegram:{bot.id}" and ticket.thread_key == f"chat:{ANA['id']}"
    texts = list(db.session.scalars(select(Message.body_text).order_by(Message.id)))
    assert texts[1] == "the box was empty\n[photo]" and texts[3] == "[voice message: voice_AwADvoice.ogg, 0:07]"
    files = {a.filename: a for m in db.session.scalars(select(Message)) for a in m.attachments}
    assert set(files) == {"photo_AQADx.jpg", "invoice 1234.pdf", "voice_AwADvoice.ogg"}
    assert path_for(files["invoice 1234.pdf"].storage_key).read_bytes() == b"%PDF-1.4 invoice"
    assert cursor(bot) == last["update_id"] + 1
    assert telegram_polling.poll_bot(bot.id).fetched == 0 and bot_api.pending_ids() == []


def test_a_crash_between_commit_and_offset_save_stores_the_update_once(bot, bot_api, monkeypatch):
    first = bot_api.push(updates.text("first"))
    bot_api.push(updates.text("second", user=BEN))
    real_save = telegram_polling.save_cursor

    def save_then_die(account_id, offset):
        raise KeyboardInterrupt("power cut: the first update is committed, the offset is not saved")

    monkeypatch.setattr(telegram_polling, "save_cursor", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        telegram_polling.poll_bot(bot.id)
    assert count(Message) == 1 and cursor(bot) is None
    monkeypatch.setattr(telegram_polling, "save_cursor", real_save)
    report = telegram_polling.poll_bot(bot.id)
    assert (report.fetched, report.duplicates, len(report.tickets)) == (2, 1, 2)
    assert count(Message) == 2 and count(Ticket) == 2
    assert cursor(bot) == first["update_id"] + 2


def test_an_edit_is_stored_beside_the_original_and_linked_to_it(bot, bot_api, make_user, login, client):
    original = bot_api.push(updates.text("I ordered 2 chairs"))
    bot_api.push(updates.edited(original, "I ordered 3 chairs"))
    telegram_polling.poll_bot(bot.id)
    first, edit = db.session.scalars(select(Message).order_by(Message.id))
    assert (first.body_text, edit.body_text) == ("I ordered 2 chairs", "I ordered 3 chairs")
    assert edit.ticket_id == first.ticket_id and edit.external_id.startswith(f"{first.external_id}:edit:")
    event = db.session.scalar(select(TicketEvent).where(TicketEvent.kind == "message_edited"))
    assert event.data == {"message_id": edit.id, "original_message_id": first.id,
                          "original_external_id": first.external_id}
    login(make_user())
    page = client.get(f"/tickets/{first.ticket_id}").get_data(as_text=True)
    assert "I ordered 2 chairs" in page and "I ordered 3 chairs" in page and "the customer edited a message" in page  # the timeline in words


def test_a_file_that_cannot_be_fetched_yet_holds_the_offset(bot, bot_api):
    bot_api.add_file("DOC9", b"data", "documents/file_9.txt")
    update = bot_api.push(updates.document("DOC9", "notes.txt", "text/plain", 4))
    bot_api.fail("getFile", 502, "Bad Gateway")
    report = telegram_polling.poll_bot(bot.id)
    assert "502" in report.error and count(Message) == 0 and cursor(bot) is None
    assert db.session.get(ChannelAccount, bot.id).last_error == report.error
    report = telegram_polling.poll_bot(bot.id)
    assert report.error is None and count(Message) == 1 and cursor(bot) == update["update_id"] + 1


def test_an_update_the_library_cannot_read_is_skipped_and_the_rest_stored(bot, bot_api):
    # A poll as a Bot API server older than python-telegram-bot sends it (fields it now requires
    # missing): PTB reads getUpdates' batch at once, which must not hold up the chat behind it.
    old_poll = {"id": "1", "question": "Tea?", "options": [{"text": "yes", "voter_count": 0}],
                "total_voter_count": 0, "is_closed": False, "is_anonymous": True, "type": "regular",
                "allows_multiple_answers": False}
    bot_api.push({"message": updates.message(poll=old_poll)})
    last = bot_api.push(updates.text("Is anyone there?"))
    report = telegram_polling.poll_bot(bot.id)
    assert (report.fetched, report.skipped, len(report.tickets), report.error) == (2, 1, 1, None)
    assert db.session.scalar(select(Ticket.subject)) == "Is anyone there?"
    assert cursor(bot) == last["update_id"] + 1 and telegram_polling.poll_bot(bot.id).fetched == 0


def test_a_file_path_naming_a_local_file_is_never_read_from_disk(bot, bot_api, tmp_path):
    # getFile answers with a path that names a file on this machine: python-telegram-bot's
    # File.download would read it from disk. Only the Bot API server's file URL is fetched.
    local = tmp_path / "secret.txt"
    local.write_bytes(b"a secret of this machine")
    bot_api.add_file("DOC5", b"a secret of this machine", str(local))
    bot_api.push(updates.document("DOC5", "notes.txt", "text/plain", 24))
    assert telegram_polling.poll_bot(bot.id).error is None
    message = db.session.scalar(select(Message))
    assert message.attachments == []
    assert "[notes.txt was not downloaded: Telegram gave no downloadable path for this file]" in message.body_text
