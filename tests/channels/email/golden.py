"""Turn an `InboundMessage` into the JSON shape the golden files hold."""

from __future__ import annotations

import hashlib
from dataclasses import asdict

from channels.base import InboundMessage


def _first_line(text: str, offset: int | None) -> str | None:
    return None if offset is None else text[offset:].split("\n", 1)[0]


def as_golden(message: InboundMessage) -> dict:
    """Every field a parser test cares about; attachment bytes as size and digest, offsets with their line."""
    return {
        "external_id": message.external_id,
        "sender": {"address": message.sender.address, "name": message.sender.name},
        "subject": message.subject,
        "received_at": message.received_at.isoformat() if message.received_at else None,
        "thread_refs": list(message.thread_refs),
        "ticket_hint": message.ticket_hint,
        "is_automated": message.is_automated,
        "system_sender": message.system_sender,
        "participants": [{"address": p.address, "name": p.name} for p in message.participants],
        "body_text": message.body_text,
        "quoted_from": message.quoted_from,
        "quote_starts_with": _first_line(message.body_text, message.quoted_from),
        "signature_from": message.signature_from,
        "signature_starts_with": _first_line(message.body_text, message.signature_from),
        "body_html": message.body_html,
        "attachments": [
            {"filename": item.filename, "content_type": item.content_type, "content_id": item.content_id,
             "size": len(item.content), "sha256": hashlib.sha256(item.content).hexdigest()[:16]}
            for item in message.attachments
        ],
        "report": asdict(message.report) if message.report else None,
        "metadata": message.metadata,
    }
