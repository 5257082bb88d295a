"""Telegram Bot API updates (what getUpdates returns and webhooks POST) as messages.

python-telegram-bot reads an update's JSON into its types (`read_update`, `Update.de_json`);
`parse_update` turns the kinds we ask for, `message`, `edited_message` and `callback_query`,
into the message for `ingest`; anything else is not a customer message and yields None. Files
are only listed here: the adapter downloads them, so parsing stays pure and testable without a
network.

External ids are unique per bot: "<chat id>:<message id>" for a message (the same shape as the
provider id of what we send, so a customer's reply to our message finds its ticket), with
":edit:<edit date>" for each edit, and "callback:<id>" for a button press.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from telegram import CallbackQuery, Chat, Message, Update, User

from channels.base import InboundMessage, Sender

CHANNEL = "telegram"


class UnreadableUpdate(ValueError):
    """An update that lacks what every update of its kind has (ids, chat, sender)."""


@dataclass(frozen=True)
class FileRef:
    """A file attached to a message, to be fetched with getFile."""

    file_id: str
    filename: str
    content_type: str
    size: int | None = None


@dataclass(frozen=True)
class TelegramUpdate:
    """One parsed update: the message for `ingest` (without attachments yet), the files to
    download for it, and what the bot itself reacts to."""

    update_id: int
    chat_id: int
    message: InboundMessage
    files: tuple[FileRef, ...] = ()
    command: str | None = None  # "start" for "/start" or "/start@our_bot payload"
    edit_of: str | None = None  # external id of the message this edit changes
    username: str | None = None
    language: str | None = None
    own_phone: str | None = None  # the sender shared their own contact: Telegram vouches for the number
    callback: tuple[str, str] | None = None  # a button press: (callback query id, its data)


def thread_key_for(chat_id: int | str) -> str:
    """The thread key of a Telegram chat."""
    return f"chat:{chat_id}"


def chat_of(thread_key: str | None) -> str | None:
    """The chat id in a thread key made by `thread_key_for` (and any "/..." suffix), else None."""
    if not thread_key or not thread_key.startswith("chat:"):
        return None
    chat = thread_key[5:].partition("/")[0]
    return chat if chat.lstrip("-").isdigit() else None


def read_update(data: object) -> Update:
    """`data` (an Update's JSON, as a webhook receives it) as python-telegram-bot's Update;
    UnreadableUpdate when it does not fit the Bot API's types (an id or a required field missing)."""
    if not isinstance(data, Mapping):
        raise UnreadableUpdate("an update is a JSON object")
    try:
        return Update.de_json(dict(data), None)
    except _MISFIT as exc:
        raise UnreadableUpdate(f"not a Bot API update ({exc.__class__.__name__}: {str(exc)[:200]})") from None


# What PTB's de_json raises on JSON that does not fit its types: a required field missing or of
# another type (TypeError, AttributeError, KeyError), a date out of range (ValueError, OverflowError, OSError).
_MISFIT = (TypeError, AttributeError, KeyError, ValueError, OverflowError, OSError)


def parse_update(update: Update, *, source: str) -> TelegramUpdate | None:
    """`update` as received from bot account `source` ("telegram:<account id>"), or None when
    it is no customer message (a channel post, a membership change, a poll answer...).
    UnreadableUpdate when it is one of our kinds but lacks what every such update has."""
    update_id = _int(update.update_id, "update_id")
    if update.message is not None:
        return _from_message(update_id, update.message, source, edited=False)
    if update.edited_message is not None:
        return _from_message(update_id, update.edited_message, source, edited=True)
    if update.callback_query is not None:
        return _from_callback(update_id, update.callback_query, source)
    return None


def _str(value: Any, default: str) -> str:
    return value if isinstance(value, str) and value else default


def _int(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise UnreadableUpdate(f"{what} is missing or not a number")
    return value


def _sender(user: User | None) -> tuple[Sender, str | None, str | None]:
    if not isinstance(user, User):
        raise UnreadableUpdate("the message has no sender")
    user_id = _int(user.id, "from.id")
    username = _str(user.username, "") or None
    full = " ".join(str(part).strip() for part in (user.first_name, user.last_name) if part).strip()
    name = full or (f"@{username}" if username else None)
    language = _str(user.language_code, "") or None
    return Sender(kind="telegram", address=str(user_id), name=name), username, language


def _when(moment: Any) -> datetime | None:
    return moment if isinstance(moment, datetime) and moment.timestamp() > 0 else None


def _command(text: str) -> str | None:
    if not text.startswith("/"):
        return None
    word = text[1:].split(maxsplit=1)[0] if len(text) > 1 else ""
    return word.partition("@")[0].lower() or None


def _from_message(update_id: int, message: Message, source: str, *, edited: bool) -> TelegramUpdate | None:
    chat = message.chat
    if chat.type == Chat.CHANNEL or message.from_user is None:
        return None  # channel posts have no customer behind them
    chat_id = _int(chat.id, "chat.id")
    message_id = _int(message.message_id, "message_id")
    sender, username, language = _sender(message.from_user)
    body, files = describe(message)
    original = f"{chat_id}:{message_id}"
    refs = []
    if edited:
        edited_at = _when(message.edit_date)
        external_id, arrived = f"{original}:edit:{int(edited_at.timestamp()) if edited_at else update_id}", edited_at
        refs.append(original)
    else:
        external_id, arrived = original, _when(message.date)
    reply = message.reply_to_message
    if reply is not None and isinstance(reply.message_id, int):
        refs.append(f"{chat_id}:{reply.message_id}")
    command = None if edited else _command(_str(message.text, ""))
    inbound = InboundMessage(
        channel=CHANNEL, source=source, external_id=external_id, sender=sender, body_text=body,
        subject="New Telegram chat" if command == "start" else None, received_at=arrived,
        thread_key=thread_key_for(chat_id), thread_refs=tuple(refs),
        metadata={"chat_type": str(chat.type or "")},
    )
    return TelegramUpdate(update_id, chat_id, inbound, files, command, original if edited else None,
                          username, language, _own_phone(message, sender))


def _own_phone(message: Message, sender: Sender) -> str | None:
    contact = message.contact
    if contact is None or str(contact.user_id) != sender.address:
        return None  # someone else's card: any number could be typed into it
    return _str(contact.phone_number, "") or None


def _from_callback(update_id: int, query: CallbackQuery, source: str) -> TelegramUpdate:
    if not isinstance(query.id, str) or not query.id:
        raise UnreadableUpdate("callback_query without an id")
    sender, username, language = _sender(query.from_user)
    shown = query.message  # the message under which the button was (maybe no longer accessible)
    chat_id = shown.chat.id if shown is not None and isinstance(shown.chat.id, int) else int(sender.address)
    refs = (f"{chat_id}:{shown.message_id}",) if shown is not None and isinstance(shown.message_id, int) else ()
    data = query.data or query.game_short_name or ""
    data = data if isinstance(data, str) else ""
    inbound = InboundMessage(
        channel=CHANNEL, source=source, external_id=f"callback:{query.id}", sender=sender,
        body_text=f"[button pressed: {data}]" if data else "[button pressed]", thread_key=thread_key_for(chat_id),
        thread_refs=refs, metadata={"chat_type": str(shown.chat.type if shown is not None else "") or "private"},
    )
    return TelegramUpdate(update_id, chat_id, inbound, (), None, None, username, language, callback=(query.id, data))


# What each kind of media is called in the text agents read, and how its file is named and typed.
_MEDIA = {
    "document": ("document", "document", "application/octet-stream"),
    "voice": ("voice message", "voice.ogg", "audio/ogg"),
    "audio": ("audio", "audio.mp3", "audio/mpeg"),
    "video": ("video", "video.mp4", "video/mp4"),
    "video_note": ("video message", "video_note.mp4", "video/mp4"),
    "animation": ("GIF", "animation.mp4", "video/mp4"),
}


def describe(message: Message) -> tuple[str, tuple[FileRef, ...]]:
    """The text an agent reads for `message` (its text or caption, with a line naming any media,
    contact or location) and the files it carries."""
    lines: list[str] = []
    text = message.text or message.caption
    if isinstance(text, str) and text:
        lines.append(text)  # first: the ticket's subject comes from the first line
    files: list[FileRef] = []
    if message.photo:  # one photo in several sizes: the largest
        largest = max(message.photo, key=lambda p: (p.width or 0) * (p.height or 0))
        files.append(_file(largest, "photo.jpg", "image/jpeg", named=False))
        lines.append("[photo]")
    for kind, (label, default_name, default_type) in _MEDIA.items():
        media = getattr(message, kind)
        if media is not None:
            ref = _file(media, default_name, default_type, named=True)
            files.append(ref)
            lines.append(f"[{label}: {ref.filename}{_duration(media)}]")
    lines.extend(_non_file_parts(message))
    return "\n".join(lines), tuple(files)


def _file(media: Any, default_name: str, default_type: str, *, named: bool) -> FileRef:
    file_id = media.file_id
    if not isinstance(file_id, str) or not file_id:
        raise UnreadableUpdate("a file without a file_id")
    stem, dot, ext = default_name.rpartition(".")
    unique = str(media.file_unique_id or file_id)[:32]
    name = _str(getattr(media, "file_name", None) if named else None, f"{stem}_{unique}{dot}{ext}")
    content_type = _str(getattr(media, "mime_type", None), default_type)
    size = media.file_size if isinstance(media.file_size, int) else None
    return FileRef(file_id, name, content_type, size)


def _duration(media: Any) -> str:
    period = getattr(media, "duration", None)  # a timedelta (PTB_TIMEDELTA, see __init__) or seconds
    seconds = int(period.total_seconds()) if isinstance(period, timedelta) else period
    return f", {seconds // 60}:{seconds % 60:02d}" if isinstance(seconds, int) else ""


def _non_file_parts(message: Message) -> list[str]:
    lines = []
    if message.sticker is not None:
        lines.append(f"[sticker {message.sticker.emoji or ''}]".replace(" ]", "]"))
    contact = message.contact
    if contact is not None:
        who = " ".join(str(part) for part in (contact.first_name, contact.last_name) if part)
        lines.append(f"[contact: {who}, {contact.phone_number or 'no phone number'}]")
    if message.venue is not None:
        lines.append(f"[place: {message.venue.title or ''}, {message.venue.address or ''}]")
    location = message.location
    if location is not None:
        lat, lon = location.latitude, location.longitude
        lines.append(f"[location: {lat}, {lon}] https://www.openstreetmap.org/?mlat={lat}&mlon={lon}")
    for kind in ("poll", "dice", "game", "invoice", "story"):
        if getattr(message, kind) is not None:
            lines.append(f"[{kind}: not shown here]")
    return lines
