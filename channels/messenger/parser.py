"""Messenger webhook payloads (object "page") -> `InboundMessage`s, delivery statuses and watermarks.

Each entry is one Page; its `messaging` events carry a customer message (`message`, never our own
`is_echo`), a button press (`postback`), a reaction, or what became of what we sent: `delivery`
names delivered message ids, and `delivery`/`read` watermarks cover everything sent before them.
Pure and never raising: whatever lacks the documented shape is skipped.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from channels.base import DeliveryStatus, InboundMessage, Sender

CHANNEL = "messenger"
OBJECT = "page"
FILE_KINDS = ("image", "video", "audio", "file")
_LABELS = {"image": "Image", "video": "Video", "audio": "Audio", "file": "File"}


@dataclass(frozen=True)
class FileRef:
    """A file a customer sent, downloadable from `url` (a signed CDN link)."""

    url: str
    kind: str  # one of FILE_KINDS
    filename: str


@dataclass(frozen=True)
class ParsedMessage:
    """One customer message and the files to fetch for it."""

    message: InboundMessage
    files: tuple[FileRef, ...] = ()


@dataclass(frozen=True)
class Watermark:
    """Everything we sent to `recipient` up to `until` reached the state `state` (delivered or read)."""

    recipient: str
    state: str
    until: datetime


@dataclass(frozen=True)
class PageEvents:
    """What one entry of a webhook carried for one Page."""

    page_id: str
    messages: tuple[ParsedMessage, ...] = ()
    statuses: tuple[DeliveryStatus, ...] = ()
    watermarks: tuple[Watermark, ...] = ()
    skipped: int = 0


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _text(value: object) -> str:
    if isinstance(value, bool):
        return ""
    return value.strip() if isinstance(value, str) else str(value) if isinstance(value, int | float) else ""


def _when(milliseconds: object) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(str(milliseconds)) / 1000, UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def entries(payload: object) -> Iterator[tuple[str, list]]:
    """(page id, messaging events) of every entry of a Messenger webhook payload."""
    payload = _dict(payload)
    if payload.get("object") != OBJECT or not isinstance(payload.get("entry"), list):
        return
    for entry in map(_dict, payload["entry"]):
        events = entry.get("messaging")
        if _text(entry.get("id")) and isinstance(events, list):
            yield _text(entry.get("id")), events


def parse_entry(page_id: str, events: list, source: str) -> PageEvents:
    """The messages, statuses and watermarks of one Page's `events`, arriving through `source`."""
    messages, statuses, watermarks, skipped = [], [], [], 0
    for event in map(_dict, events):
        psid = _text(_dict(event.get("sender")).get("id"))
        if "delivery" in event or "read" in event:
            state = "delivered" if "delivery" in event else "read"
            part = _dict(event.get("delivery") or event.get("read"))
            statuses += [DeliveryStatus(mid, "delivered", recipient=psid) for mid in map(_text, _list(part.get("mids")))
                         if mid]
            until = _when(part.get("watermark"))
            if until is not None and psid:
                watermarks.append(Watermark(psid, state, until))
            continue
        if _dict(event.get("message")).get("is_echo"):
            continue  # our own message, echoed back
        parsed = parse_event(event, source) if psid and psid != page_id else None
        if parsed is None:
            skipped += 1
        else:
            messages.append(parsed)
    return PageEvents(page_id, tuple(messages), tuple(statuses), tuple(watermarks), skipped)


def parse_event(event: dict, source: str) -> ParsedMessage | None:
    """A customer's message, postback or reaction event; None for anything else."""
    psid = _text(_dict(event.get("sender")).get("id"))
    metadata: dict[str, str] = {}
    files: tuple[FileRef, ...] = ()
    automated = False
    if isinstance(event.get("message"), dict):
        message = event["message"]
        external_id = _text(message.get("mid"))
        body, files = _message_body(message)
        if _text(_dict(message.get("reply_to")).get("mid")):
            metadata["reply_to"] = _text(_dict(message.get("reply_to")).get("mid"))
    elif isinstance(event.get("postback"), dict):
        postback = event["postback"]
        external_id = _text(postback.get("mid")) or f"postback:{psid}:{_text(event.get('timestamp'))}"
        body = _text(postback.get("title")) or _text(postback.get("payload")) or "Button pressed"
    elif isinstance(event.get("reaction"), dict):
        reaction = event["reaction"]
        # A reaction has no id of its own: it is one person's action on one message at one time.
        action = _text(reaction.get("action")) or "react"
        external_id = f"{action}:{_text(reaction.get('mid'))}:{psid}:{_text(event.get('timestamp'))}"
        emoji = _text(reaction.get("emoji")) or _text(reaction.get("reaction"))
        body = f"Reacted {emoji} to a message" if action != "unreact" else "Removed a reaction"
        metadata["reacted_to"] = _text(reaction.get("mid"))
        automated = True
    else:
        return None
    if not external_id:
        return None
    inbound = InboundMessage(
        channel=CHANNEL, source=source, external_id=external_id, sender=Sender(kind="messenger", address=psid),
        body_text=body, received_at=_when(event.get("timestamp")), thread_key=psid, is_automated=automated,
        metadata=metadata)
    return ParsedMessage(inbound, files)


def _message_body(message: dict) -> tuple[str, tuple[FileRef, ...]]:
    lines = [_text(message.get("text"))]
    files = []
    for index, attachment in enumerate(map(_dict, _list(message.get("attachments"))), start=1):
        kind, payload = _text(attachment.get("type")), _dict(attachment.get("payload"))
        url = _text(payload.get("url"))
        if kind in FILE_KINDS and url:
            files.append(FileRef(url, kind, _filename(url, kind, index)))
            if not lines[0]:
                lines.append(f"[{_LABELS[kind]}]")
        elif kind == "location":
            point = _dict(payload.get("coordinates"))
            lines.append(f"Location: {_text(point.get('lat'))}, {_text(point.get('long'))}")
        elif url or _text(attachment.get("url")):
            lines.append(" ".join(p for p in (_text(attachment.get("title")), url or _text(attachment.get("url"))) if p))
    return "\n".join(line for line in lines if line), tuple(files)


def _filename(url: str, kind: str, index: int) -> str:
    name = posixpath.basename(urlsplit(url).path)
    return name if "." in name and len(name) <= 120 else f"{kind}-{index}"
