"""Telegram Update objects shaped as the Bot API sends them, for tests to push or POST."""

from __future__ import annotations

import itertools
import time

ANA = {"id": 424242001, "is_bot": False, "first_name": "Ana", "last_name": "López", "username": "ana_lopez",
       "language_code": "es"}
BEN = {"id": 424242002, "is_bot": False, "first_name": "Ben", "language_code": "en"}
_message_ids = itertools.count(1)


def private_chat(user: dict) -> dict:
    """The private chat of `user` with the bot (its id is the user's)."""
    chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
    for key in ("last_name", "username"):
        if key in user:
            chat[key] = user[key]
    return chat


def message(user: dict = ANA, *, chat: dict | None = None, message_id: int | None = None, **content) -> dict:
    """A `message` object from `user` in their private chat (or `chat`) with `content` fields."""
    return {"message_id": message_id or next(_message_ids), "from": user, "chat": chat or private_chat(user),
            "date": int(time.time()), **content}


def text(body: str, user: dict = ANA, **fields) -> dict:
    """An update with a text message."""
    return {"message": message(user, text=body, **fields)}


def photo(file_id: str, caption: str | None = None, user: dict = ANA) -> dict:
    """An update with a photo in three sizes (the largest is the one to keep)."""
    sizes = [{"file_id": f"{file_id}-s", "file_unique_id": "AQADs", "file_size": 1200, "width": 90, "height": 67},
             {"file_id": f"{file_id}-m", "file_unique_id": "AQADm", "file_size": 15000, "width": 320, "height": 240},
             {"file_id": file_id, "file_unique_id": "AQADx", "file_size": 80000, "width": 1280, "height": 960}]
    return {"message": message(user, photo=sizes, **({"caption": caption} if caption else {}))}


def document(file_id: str, name: str, mime: str, size: int, user: dict = ANA) -> dict:
    """An update with a document."""
    return {"message": message(user, document={"file_name": name, "mime_type": mime, "file_id": file_id,
                                               "file_unique_id": f"AgAD{file_id[-4:]}", "file_size": size})}


def voice(file_id: str, seconds: int = 7, user: dict = ANA) -> dict:
    """An update with a voice note (OGG/Opus)."""
    return {"message": message(user, voice={"duration": seconds, "mime_type": "audio/ogg", "file_id": file_id,
                                            "file_unique_id": "AwADvoice", "file_size": 5120})}


def edited(original: dict, new_text: str) -> dict:
    """An update editing the message of the update `original`."""
    edit = dict(original["message"], text=new_text, edit_date=original["message"]["date"] + 30)
    return {"edited_message": edit}
