"""Telegram Bot API updates (the JSON objects getUpdates returns and webhooks POST) as messages.

An update carries at most one of `message`, `edited_message`, `callback_query` (the kinds we ask
for); anything else is not a customer message and yields None. Files are only listed here: the
adapter downloads them, so parsing stays pure and testable without a network.

External ids are unique per bot: "<chat id>:<message id>" for a message (the same shape as the
provider id of what we send, so a customer's reply to our message finds its ticket), with
":edit:<edit date>" for each edit, and "callback:<id>" for a button press.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

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


def parse_update(update: Mapping[str, Any], *, source: str) -> TelegramUpdate | None:
    """`update` as received from bot account `source` ("telegram:<account id>"), or None when
    it is no customer message (a channel post, a membership change, a poll answer...).
    UnreadableUpdate when it is one of our kinds but malformed."""
    update_id = update.get("update_id")
    if not isinstance(update_id, int):
        raise UnreadableUpdate("update without an update_id")
    if isinstance(update.get("message"), dict):
        return _from_message(update_id, update["message"], source, edited=False)
    if isinstance(update.get("edited_message"), dict):
        return _from_message(update_id, update["edited_message"], source, edited=True)
    if isinstance(update.get("callback_query"), dict):
        return _from_callback(update_id, update["callback_query"], source)
    return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any, default: str) -> str:
    return value if isinstance(value, str) and value else default


def _int(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise UnreadableUpdate(f"{what} is missing or not a number")
    return value


def _sender(user: Any) -> tuple[Sender, str | None, str | None]:
    if not isinstance(user, dict):
        raise UnreadableUpdate("the message has no sender")
    user_id = _int(user.get("id"), "from.id")
    username = _str(user.get("username"), "") or None
    full = " ".join(str(user[k]).strip() for k in ("first_name", "last_name") if user.get(k)).strip()
    name = full or (f"@{username}" if username else None)
    language = _str(user.get("language_code"), "") or None
    return Sender(kind="telegram", address=str(user_id), name=name), username, language


def _when(timestamp: Any) -> datetime | None:
    return datetime.fromtimestamp(timestamp, UTC) if isinstance(timestamp, int) and timestamp > 0 else None


def _command(text: str) -> str | None:
    if not text.startswith("/"):
        return None
    word = text[1:].split(maxsplit=1)[0] if len(text) > 1 else ""
    return word.partition("@")[0].lower() or None


def _from_message(update_id: int, message: dict, source: str, *, edited: bool) -> TelegramUpdate | None:
    chat = message.get("chat")
    if not isinstance(chat, dict) or chat.get("type") == "channel" or "from" not in message:
        return None  # channel posts have no customer behind them
    chat_id = _int(chat.get("id"), "chat.id")
    message_id = _int(message.get("message_id"), "message_id")
    sender, username, language = _sender(message.get("from"))
    body, files = describe(message)
    original = f"{chat_id}:{message_id}"
    refs = []
    if edited:
        edit_date = message.get("edit_date") if isinstance(message.get("edit_date"), int) else update_id
        external_id, arrived = f"{original}:edit:{edit_date}", _when(message.get("edit_date"))
        refs.append(original)
    else:
        external_id, arrived = original, _when(message.get("date"))
    reply = message.get("reply_to_message")
    if isinstance(reply, dict) and isinstance(reply.get("message_id"), int):
        refs.append(f"{chat_id}:{reply['message_id']}")
    command = None if edited else _command(message.get("text") or "")
    inbound = InboundMessage(
        channel=CHANNEL, source=source, external_id=external_id, sender=sender, body_text=body,
        subject="New Telegram chat" if command == "start" else None, received_at=arrived,
        thread_key=thread_key_for(chat_id), thread_refs=tuple(refs),
        metadata={"chat_type": str(chat.get("type") or "")},
    )
    return TelegramUpdate(update_id, chat_id, inbound, files, command, original if edited else None,
                          username, language, _own_phone(message, sender))


def _own_phone(message: dict, sender: Sender) -> str | None:
    contact = _dict(message.get("contact"))
    if str(contact.get("user_id")) != sender.address:
        return None  # someone else's card: any number could be typed into it
    return _str(contact.get("phone_number"), "") or None


def _from_callback(update_id: int, query: dict, source: str) -> TelegramUpdate:
    query_id = query.get("id")
    if not isinstance(query_id, str) or not query_id:
        raise UnreadableUpdate("callback_query without an id")
    sender, username, language = _sender(query.get("from"))
    shown = _dict(query.get("message"))
    chat = _dict(shown.get("chat"))
    chat_id = chat["id"] if isinstance(chat.get("id"), int) else int(sender.address)
    refs = (f"{chat_id}:{shown['message_id']}",) if isinstance(shown.get("message_id"), int) else ()
    data = query.get("data") or query.get("game_short_name") or ""
    inbound = InboundMessage(
        channel=CHANNEL, source=source, external_id=f"callback:{query_id}", sender=sender,
        body_text=f"[button pressed: {data}]" if data else "[button pressed]", thread_key=thread_key_for(chat_id),
        thread_refs=refs, metadata={"chat_type": str(chat.get("type") or "private")},
    )
    return TelegramUpdate(update_id, chat_id, inbound, (), None, None, username, language,
                          callback=(query_id, data if isinstance(data, str) else ""))


# What each kind of media is called in the text agents read, and how its file is named and typed.
_MEDIA = {
    "document": ("document", "document", "application/octet-stream"),
    "voice": ("voice message", "voice.ogg", "audio/ogg"),
    "audio": ("audio", "audio.mp3", "audio/mpeg"),
    "video": ("video", "video.mp4", "video/mp4"),
    "video_note": ("video message", "video_note.mp4", "video/mp4"),
    "animation": ("GIF", "animation.mp4", "video/mp4"),
}


def describe(message: Mapping[str, Any]) -> tuple[str, tuple[FileRef, ...]]:
    """The text an agent reads for `message` (its text or caption, with a line naming any media,
    contact or location) and the files it carries."""
    lines: list[str] = []
    text = message.get("text") or message.get("caption")
    if isinstance(text, str) and text:
        lines.append(text)  # first: the ticket's subject comes from the first line
    files: list[FileRef] = []
    sizes = [p for p in message.get("photo") or () if isinstance(p, dict)]
    if sizes:  # one photo in several sizes: the largest
        largest = max(sizes, key=lambda p: (p.get("width") or 0) * (p.get("height") or 0))
        files.append(_file(largest, "photo.jpg", "image/jpeg", named=False))
        lines.append("[photo]")
    for kind, (label, default_name, default_type) in _MEDIA.items():
        media = message.get(kind)
        if isinstance(media, dict):
            ref = _file(media, default_name, default_type, named=True)
            files.append(ref)
            lines.append(f"[{label}: {ref.filename}{_duration(media)}]")
    lines.extend(_non_file_parts(message))
    return "\n".join(lines), tuple(files)


def _file(media: dict, default_name: str, default_type: str, *, named: bool) -> FileRef:
    file_id = media.get("file_id")
    if not isinstance(file_id, str) or not file_id:
        raise UnreadableUpdate("a file without a file_id")
    stem, dot, ext = default_name.rpartition(".")
    unique = str(media.get("file_unique_id") or file_id)[:32]
    name = _str(media.get("file_name") if named else None, f"{stem}_{unique}{dot}{ext}")
    content_type = _str(media.get("mime_type"), default_type)
    size = media.get("file_size") if isinstance(media.get("file_size"), int) else None
    return FileRef(file_id, name, content_type, size)


def _duration(media: dict) -> str:
    seconds = media.get("duration")
    return f", {seconds // 60}:{seconds % 60:02d}" if isinstance(seconds, int) else ""


def _non_file_parts(message: Mapping[str, Any]) -> list[str]:
    lines = []
    sticker = message.get("sticker")
    if isinstance(sticker, dict):
        lines.append(f"[sticker {sticker.get('emoji') or ''}]".replace(" ]", "]"))
    contact = message.get("contact")
    if isinstance(contact, dict):
        who = " ".join(str(contact[k]) for k in ("first_name", "last_name") if contact.get(k))
        lines.append(f"[contact: {who}, {contact.get('phone_number') or 'no phone number'}]")
    venue = message.get("venue")
    location = message.get("location")
    if isinstance(venue, dict):
        lines.append(f"[place: {venue.get('title') or ''}, {venue.get('address') or ''}]")
    if isinstance(location, dict) and "latitude" in location and "longitude" in location:
        lat, lon = location["latitude"], location["longitude"]
        lines.append(f"[location: {lat}, {lon}] https://www.openstreetmap.org/?mlat={lat}&mlon={lon}")
    for kind in ("poll", "dice", "game", "invoice", "story"):
        if kind in message:
            lines.append(f"[{kind}: not shown here]")
    return lines
