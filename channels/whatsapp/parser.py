"""WhatsApp Cloud API webhook payloads -> `InboundMessage`s and `DeliveryStatus`es.

A payload (object "whatsapp_business_account") holds entries, each with changes whose `value`
names the business number (`metadata.phone_number_id`) and carries `contacts` (who wrote),
`messages` (what they wrote) and `statuses` (what became of what we sent). Pure and never raising:
whatever does not have the shape Meta documents is skipped.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from channels.base import DeliveryStatus, InboundMessage, Sender
from channels.whatsapp.errors import status_error

CHANNEL = "whatsapp"
OBJECT = "whatsapp_business_account"
MEDIA_KINDS = ("image", "video", "audio", "document", "sticker")
STATUS_STATES = ("sent", "delivered", "read", "failed")
_LABELS = {"image": "Image", "video": "Video", "audio": "Audio", "sticker": "Sticker", "document": "Document"}


@dataclass(frozen=True)
class MediaRef:
    """A file a message refers to by media id; the app downloads it before ingesting."""

    media_id: str
    kind: str  # one of MEDIA_KINDS
    mime_type: str
    filename: str
    sha256: str | None = None


@dataclass(frozen=True)
class ParsedMessage:
    """One customer message, and the file to fetch for it, if any."""

    message: InboundMessage
    media: MediaRef | None = None


@dataclass(frozen=True)
class Change:
    """What one change of a webhook carried for one business number."""

    phone_number_id: str
    messages: tuple[ParsedMessage, ...] = ()
    statuses: tuple[DeliveryStatus, ...] = ()
    skipped: int = 0  # messages without the fields a message needs (id, sender)


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else str(value) if isinstance(value, int | float) else ""


def changes(payload: object) -> Iterator[tuple[str, dict]]:
    """(phone_number_id, value) of every "messages" change in a WhatsApp webhook payload."""
    payload = _dict(payload)
    if payload.get("object") != OBJECT:
        return
    for entry in _list(payload.get("entry")):
        for change in _list(_dict(entry).get("changes")):
            change = _dict(change)
            value = _dict(change.get("value"))
            number = _text(_dict(value.get("metadata")).get("phone_number_id"))
            if change.get("field", "messages") == "messages" and number:
                yield number, value


def parse_change(value: dict, source: str) -> Change:
    """The messages and statuses of one change `value`, as arriving through account `source`."""
    names = {_text(c.get("wa_id")): _text(_dict(c.get("profile")).get("name"))
             for c in map(_dict, _list(value.get("contacts")))}
    number = _text(_dict(value.get("metadata")).get("phone_number_id"))
    messages, skipped = [], 0
    for raw in map(_dict, _list(value.get("messages"))):
        parsed = parse_message(raw, source, names, number)
        if parsed is None:
            skipped += 1
        else:
            messages.append(parsed)
    statuses = tuple(s for s in map(parse_status, map(_dict, _list(value.get("statuses")))) if s is not None)
    return Change(number, tuple(messages), statuses, skipped)


def timestamp(value: object) -> datetime | None:
    """A WhatsApp timestamp (Unix seconds, as a string) as an aware UTC datetime."""
    try:
        return datetime.fromtimestamp(int(str(value)), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def parse_message(raw: dict, source: str, names: dict[str, str], number: str = "") -> ParsedMessage | None:
    """One entry of `messages`; None without a message id or a sender's phone number."""
    wamid, wa_id = _text(raw.get("id")), "".join(ch for ch in _text(raw.get("from")) if ch.isdigit())
    if not wamid or not wa_id:
        return None
    kind = _text(raw.get("type")) or "unknown"
    body, media, automated = _content(raw, kind)
    # What a message answers or reacts to is recorded, not used for threading: the customer's number
    # is the thread, and a swipe-reply to a message of a closed ticket belongs to today's conversation.
    context = _dict(raw.get("context"))
    metadata = {"phone_number_id": number, "type": kind}
    if _text(context.get("id")):
        metadata["reply_to"] = _text(context.get("id"))
    if kind == "interactive":  # the id of the list row or reply button picked: ours, given when sending
        picked = _dict(_dict(raw.get("interactive")).get(_text(_dict(raw.get("interactive")).get("type"))))
        if _text(picked.get("id")):
            metadata["reply_id"] = _text(picked.get("id"))
    if kind == "reaction":
        metadata["reacted_to"] = _text(_dict(raw.get("reaction")).get("message_id"))
    if context.get("forwarded") or context.get("frequently_forwarded"):
        metadata["forwarded"] = "frequently" if context.get("frequently_forwarded") else "yes"
    message = InboundMessage(
        channel=CHANNEL, source=source, external_id=wamid,
        sender=Sender(kind="whatsapp", address="+" + wa_id, name=names.get(wa_id) or None),
        body_text=body, received_at=timestamp(raw.get("timestamp")), thread_key=wa_id,
        is_automated=automated, metadata=metadata,
    )
    return ParsedMessage(message, media)


def _content(raw: dict, kind: str) -> tuple[str, MediaRef | None, bool]:
    """(body text, media to fetch, automated?) of a message of type `kind`."""
    part = _dict(raw.get(kind))
    if kind == "text":
        return _text(part.get("body")), None, False
    if kind in MEDIA_KINDS:
        return _media(part, kind)
    if kind == "location":
        return _location(part), None, False
    if kind == "contacts":
        return "\n".join(_contact(c) for c in map(_dict, _list(raw.get("contacts")))) or "Shared contact", None, False
    if kind == "interactive":
        return _interactive(part), None, False
    if kind == "button":
        return _text(part.get("text")) or _text(part.get("payload")), None, False
    if kind == "reaction":
        # Stored for the record, but not a question: it neither opens nor reopens a ticket.
        emoji = _text(part.get("emoji"))
        return (f"Reacted {emoji} to a message" if emoji else "Removed a reaction"), None, True
    if kind == "system":
        return _text(part.get("body")) or "WhatsApp system message", None, True
    return _unsupported(raw, kind), None, False


def _media(part: dict, kind: str) -> tuple[str, MediaRef | None, bool]:
    media_id = _text(part.get("id"))
    mime = (_text(part.get("mime_type")) or "application/octet-stream").split(";")[0].strip()
    filename = _text(part.get("filename"))
    if not filename:
        extension = {"audio/ogg": ".ogg", "image/jpeg": ".jpg"}.get(mime) or mimetypes.guess_extension(mime) or ""
        filename = f"{kind}-{media_id or 'file'}{extension}"
    label = "Voice message" if kind == "audio" and part.get("voice") else _LABELS[kind]
    if kind == "document":
        label = f"{label} {filename}"
    body = _text(part.get("caption")) or f"[{label}]"
    ref = MediaRef(media_id, kind, mime, filename, _text(part.get("sha256")) or None) if media_id else None
    return body, ref, False


def _location(part: dict) -> str:
    lat, lon = _text(part.get("latitude")), _text(part.get("longitude"))
    place = ", ".join(p for p in (_text(part.get("name")), _text(part.get("address"))) if p)
    lines = [f"Location: {place}" if place else "Location"]
    if lat and lon:
        lines += [f"{lat}, {lon}", f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}"]
    if _text(part.get("url")):
        lines.append(_text(part.get("url")))
    return "\n".join(lines)


def _contact(contact: dict) -> str:
    name = _dict(contact.get("name"))
    label = _text(name.get("formatted_name")) or " ".join(
        p for p in (_text(name.get("first_name")), _text(name.get("last_name"))) if p)
    reachable = [_text(_dict(p).get("phone")) for p in _list(contact.get("phones"))]
    reachable += [_text(_dict(e).get("email")) for e in _list(contact.get("emails"))]
    return "Shared contact: " + ", ".join(p for p in [label, *reachable] if p)


def _interactive(part: dict) -> str:
    kind = _text(part.get("type"))
    reply = _dict(part.get(kind))
    if kind == "nfm_reply":
        return _text(reply.get("body")) or _text(reply.get("response_json")) or "Form reply"
    title, description = _text(reply.get("title")), _text(reply.get("description"))
    return f"{title} — {description}" if title and description else title or _text(reply.get("id")) or "Reply"


def _unsupported(raw: dict, kind: str) -> str:
    kind = _text(_dict(raw.get("unsupported")).get("type")) or kind  # e.g. an edit or a poll
    errors = _list(raw.get("errors"))
    reason = status_error(errors) if errors else ""
    return f"[Unsupported WhatsApp message ({kind})" + (f": {reason}]" if reason else "]")


def parse_status(raw: dict) -> DeliveryStatus | None:
    """One entry of `statuses`; None for states we do not track (and malformed entries)."""
    wamid, state = _text(raw.get("id")), _text(raw.get("status"))
    if not wamid or state not in STATUS_STATES:
        return None
    return DeliveryStatus(
        provider_id=wamid, state=state, at=timestamp(raw.get("timestamp")),
        recipient=_text(raw.get("recipient_id")) or None,
        error=status_error(raw.get("errors")) if state == "failed" else None,
    )
