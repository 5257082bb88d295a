"""Messenger webhook payloads (object "page") in the shape Meta documents."""

from __future__ import annotations

import time
import uuid

PAGE_ID = "682498302938465"
PSID = "6783245098712345"
NAME = "Ana Pérez"


def now_ms() -> int:
    return int(time.time() * 1000)


def mid() -> str:
    return "m_" + uuid.uuid4().hex + uuid.uuid4().hex[:20]


def page(*events: dict, page_id: str = PAGE_ID) -> dict:
    """A delivery carrying `events` for one Page."""
    return {"object": "page", "entry": [{"id": page_id, "time": now_ms(), "messaging": list(events)}]}


def from_customer(part: str, content: dict, psid: str = PSID, at: int | None = None) -> dict:
    return {"sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": at or now_ms(), part: content}


def text(body: str, message_id: str | None = None, **kwargs) -> dict:
    return page(from_customer("message", {"mid": message_id or mid(), "text": body}, **kwargs))


def attachment(kind: str, url: str, **kwargs) -> dict:
    return page(from_customer("message", {"mid": mid(), "attachments": [{"type": kind, "payload": {"url": url}}]},
                              **kwargs))


def echo(body: str) -> dict:
    return page({"sender": {"id": PAGE_ID}, "recipient": {"id": PSID}, "timestamp": now_ms(),
                 "message": {"is_echo": True, "app_id": 1517776481860111, "mid": mid(), "text": body}})


def delivery(mids: list[str], watermark: int) -> dict:
    return page(from_customer("delivery", {"mids": mids, "watermark": watermark}))


def read(watermark: int) -> dict:
    return page(from_customer("read", {"watermark": watermark}))
