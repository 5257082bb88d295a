"""Webhook payloads in the shape Meta documents for the WhatsApp Cloud API (messages webhook)."""

from __future__ import annotations

import json
import time
import uuid

from channels.whatsapp.signature import sign

PHONE_NUMBER_ID = "106540352242922"
DISPLAY_NUMBER = "15550783881"
WABA_ID = "102290129340398"
CUSTOMER = "34600123456"
CUSTOMER_NAME = "Lucía Gómez"


def wamid() -> str:
    """A fresh message id of the form WhatsApp uses."""
    return "wamid.HBgLMzQ2MDAxMjM0NTYVAgASGBQz" + uuid.uuid4().hex.upper()[:20] + "AA=="


def envelope(value: dict, phone_number_id: str = PHONE_NUMBER_ID) -> dict:
    """One change for one business number, wrapped as Meta posts it."""
    value = {"messaging_product": "whatsapp",
             "metadata": {"display_phone_number": DISPLAY_NUMBER, "phone_number_id": phone_number_id}} | value
    return {"object": "whatsapp_business_account",
            "entry": [{"id": WABA_ID, "changes": [{"value": value, "field": "messages"}]}]}


def inbound(kind: str, content: dict, *, sender: str = CUSTOMER, name: str = CUSTOMER_NAME, message_id: str | None = None,
            context: dict | None = None, phone_number_id: str = PHONE_NUMBER_ID) -> dict:
    """A payload carrying one customer message of type `kind` with its `content` object."""
    message = {"from": sender, "id": message_id or wamid(), "timestamp": str(int(time.time())), "type": kind,
               kind: content}
    if context:
        message["context"] = context
    return envelope({"contacts": [{"profile": {"name": name}, "wa_id": sender}], "messages": [message]},
                    phone_number_id)


def text(body: str, **fields) -> dict:
    return inbound("text", {"body": body}, **fields)


def image(media_id: str, caption: str | None = None, **fields) -> dict:
    content = {"mime_type": "image/jpeg", "sha256": "kn0SVxhcTDLF6yzTa8y5P3hNtBxbHrNY1MHFxJxDTSo=", "id": media_id}
    return inbound("image", content | ({"caption": caption} if caption else {}), **fields)


def document(media_id: str, filename: str, caption: str | None = None, **fields) -> dict:
    content = {"filename": filename, "mime_type": "application/pdf",
               "sha256": "3pV3Y2JmVQ1RWb0mC2YH1aKq3S8rCg7lZk0bKzgY0dA=", "id": media_id}
    return inbound("document", content | ({"caption": caption} if caption else {}), **fields)


def location(latitude: float, longitude: float, name: str, address: str, **fields) -> dict:
    return inbound("location", {"latitude": latitude, "longitude": longitude, "name": name, "address": address},
                   **fields)


def status(message_id: str, state: str, *, recipient: str = CUSTOMER, errors: list[dict] | None = None,
           at: int | None = None, phone_number_id: str = PHONE_NUMBER_ID) -> dict:
    """A payload carrying one status callback about a message we sent."""
    entry: dict = {"id": message_id, "status": state, "timestamp": str(at or int(time.time())),
                   "recipient_id": recipient}
    if state in ("sent", "delivered"):
        entry["conversation"] = {"id": uuid.uuid4().hex, "origin": {"type": "service"}}
        entry["pricing"] = {"billable": True, "pricing_model": "PMP", "category": "service", "type": "regular"}
    if errors:
        entry["errors"] = errors
    return envelope({"statuses": [entry]}, phone_number_id)


def signed(payload: dict, app_secret: str) -> tuple[bytes, dict]:
    """The raw body and headers of a webhook call, signed as Meta signs it."""
    body = json.dumps(payload, ensure_ascii=False).encode()
    return body, {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, app_secret)}
