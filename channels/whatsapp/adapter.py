"""Agent replies out through the WhatsApp Cloud API, and customers' files in.

Text goes to `POST /{phone_number_id}/messages`; an attachment is uploaded first
(`POST /{phone_number_id}/media`) and sent by its media id. The receipt's provider id is the
wamid of the text, which the status callbacks name. Files customers send are fetched in two steps:
`GET /{media_id}` for a short-lived URL, then that URL with the same bearer token.
"""

from __future__ import annotations

import functools

from channels.base import Attachment, Choice, DeliveryError, DeliveryReceipt, OutboundMessage
from channels.whatsapp.errors import GraphError
from channels.whatsapp.graph import GraphAccount, GraphClient, send_in_parts
from channels.whatsapp.parser import CHANNEL, MediaRef

TEXT_LIMIT = 4096  # characters in one WhatsApp text message
LIST_ROWS = 10  # rows in one interactive list message: a 0-10 scale does not fit and goes as text with its link
INTERACTIVE_BODY = 1024  # characters in an interactive message's body
_IMAGE = {"image/jpeg", "image/png"}
_VIDEO = {"video/mp4", "video/3gpp"}
_AUDIO = {"audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"}


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut at a paragraph, line or word break."""
    pieces, rest = [], text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        cut = cut if cut > limit // 2 else limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [*pieces, rest] if rest else pieces


def media_kind(content_type: str) -> str:
    """How WhatsApp must be sent a file of `content_type`: image, video, audio or document."""
    if content_type in _IMAGE:
        return "image"
    if content_type in _VIDEO:
        return "video"
    return "audio" if content_type in _AUDIO else "document"


class WhatsAppChannel:
    """The `Channel` adapter for one WhatsApp business number."""

    name = CHANNEL

    def __init__(self, account: GraphAccount, client: GraphClient | None = None) -> None:
        self.account = account  # account.sender_id is the business number's phone number id
        self.client = client or account.client()

    @classmethod
    def from_settings(cls, settings: dict) -> WhatsAppChannel:
        """The adapter for a channel account's adapter settings (phone_number_id, access_token, ...)."""
        return cls(GraphAccount.from_settings(settings, "phone_number_id"))

    def send(self, message: OutboundMessage) -> DeliveryReceipt:
        """Send the reply's text (split at 4,096 characters) and then each attachment; the receipt
        names the first message (see `send_in_parts`)."""
        to = "".join(ch for ch in message.recipient.address if ch.isdigit())
        if not to:
            raise DeliveryError(f"{message.recipient.address!r} is not a WhatsApp number", retryable=False)
        if message.choices and len(message.choices) <= LIST_ROWS and len(message.body_text) <= INTERACTIVE_BODY:
            return send_in_parts([functools.partial(self.send_list, to, message.body_text, message.choices)])
        return send_in_parts([*(functools.partial(self.send_text, to, piece) for piece in split_text(message.body_text)),
                              *(functools.partial(self.send_file, to, file) for file in message.attachments)])

    def send_list(self, to: str, body: str, choices: tuple[Choice, ...]) -> str:
        """Send `body` as an interactive list message whose rows are `choices` (reply buttons allow
        only three: a list holds a 1-5 scale); the row the customer picks comes back with its id."""
        rows = [{"id": c.reply[:200], "title": c.label[:24]} for c in choices]
        return self._send(to, "interactive", {"type": "list", "body": {"text": body},
                                              "action": {"button": "Choose", "sections": [{"title": "Score", "rows": rows}]}})

    def send_text(self, to: str, body: str) -> str:
        """Send one text message to the WhatsApp number `to`; its wamid."""
        return self._send(to, "text", {"preview_url": False, "body": body})

    def send_file(self, to: str, attachment: Attachment) -> str:
        """Upload `attachment` and send it as the media kind its type calls for; the wamid."""
        kind = media_kind(attachment.content_type)
        media = {"id": self.upload(attachment)}
        if kind == "document":
            media["filename"] = attachment.filename
        return self._send(to, kind, media)

    def send_link(self, to: str, kind: str, link: str, *, caption: str | None = None) -> str:
        """Send a file WhatsApp fetches itself from a public `link` (no upload); the wamid."""
        media = {"link": link} | ({"caption": caption} if caption and kind != "audio" else {})
        return self._send(to, kind, media)

    def upload(self, attachment: Attachment) -> str:
        """Upload a file to WhatsApp; the media id to send it by."""
        answer = self.client.post_multipart(
            f"{self.account.sender_id}/media",
            {"messaging_product": "whatsapp", "type": attachment.content_type},
            filename=attachment.filename, content=attachment.content, content_type=attachment.content_type)
        media_id = answer.get("id")
        if not isinstance(media_id, str) or not media_id:
            raise GraphError(f"media upload answered without an id: {answer}", retryable=True)
        return media_id

    def fetch_media(self, ref: MediaRef, max_bytes: int) -> Attachment:
        """The file a customer sent, downloaded (at most `max_bytes`)."""
        info = self.client.get_json(ref.media_id)
        url = info.get("url")
        if not isinstance(url, str) or not url:
            raise GraphError(f"media {ref.media_id} has no download URL", retryable=False)
        content, served_type = self.client.download(url, max_bytes)
        declared = str(info.get("mime_type") or ref.mime_type or served_type).split(";")[0].strip()
        return Attachment(filename=ref.filename, content=content, content_type=declared)

    def _send(self, to: str, kind: str, content: dict) -> str:
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": kind,
                kind: content}
        answer = self.client.post_json(f"{self.account.sender_id}/messages", body)
        messages = answer.get("messages")
        wamid = messages[0].get("id") if isinstance(messages, list) and messages and isinstance(messages[0], dict) else None
        if not isinstance(wamid, str) or not wamid:
            raise GraphError(f"the messages endpoint answered without a message id: {answer}", retryable=False)
        return wamid
