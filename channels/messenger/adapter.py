"""Agent replies out through the Messenger Send API (`POST /{page_id}/messages`), and the files
and names of customers in.

Text goes out in pieces of at most 2,000 characters; a file is uploaded to
`/{page_id}/message_attachments` and sent by its attachment id. The receipt names the first
message id (`m_...`), which delivery callbacks name too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from channels.base import Attachment, DeliveryError, DeliveryReceipt, OutboundMessage
from channels.messenger.parser import CHANNEL, FileRef
from channels.whatsapp.adapter import split_text
from channels.whatsapp.errors import GraphError
from channels.whatsapp.graph import DEFAULT_BASE_URL, DEFAULT_VERSION, GraphClient

TEXT_LIMIT = 2000
@dataclass(frozen=True)
class MessengerSettings:
    """One Page: its id, the Page access token, and where the API lives."""

    page_id: str
    access_token: str
    api_base_url: str = DEFAULT_BASE_URL
    api_version: str = DEFAULT_VERSION

    @classmethod
    def from_account(cls, settings: dict) -> MessengerSettings:
        """Read a channel account's adapter settings ({"settings": {page_id, ...}, "secrets":
        {access_token}}); DeliveryError when something is missing."""
        public, sealed = settings.get("settings") or {}, settings.get("secrets") or {}
        if not public.get("page_id") or not sealed.get("access_token"):
            raise DeliveryError("the Messenger account has no page id or access token", retryable=False)
        return cls(str(public["page_id"]), sealed["access_token"],
                   public.get("api_base_url") or DEFAULT_BASE_URL, public.get("api_version") or DEFAULT_VERSION)


def media_type(content_type: str) -> str:
    """The Send API attachment type for a file of `content_type`."""
    kind = content_type.partition("/")[0]
    return kind if kind in ("image", "video", "audio") else "file"


class MessengerChannel:
    """The `Channel` adapter for one Facebook Page."""

    name = CHANNEL

    def __init__(self, settings: MessengerSettings, client: GraphClient | None = None) -> None:
        self.settings = settings
        self.client = client or GraphClient(settings.access_token, base_url=settings.api_base_url,
                                            version=settings.api_version)

    @classmethod
    def from_settings(cls, settings: dict) -> MessengerChannel:
        """The adapter for a channel account's adapter settings."""
        return cls(MessengerSettings.from_account(settings))

    def send(self, message: OutboundMessage) -> DeliveryReceipt:
        """Send the reply's text and then its files to the customer (their page-scoped id); once a
        part went out, a later failure is permanent so that a retry never repeats it."""
        psid = message.recipient.address
        sent: list[str] = []
        try:
            for piece in split_text(message.body_text, TEXT_LIMIT):
                sent.append(self._send(psid, {"text": piece}))
            for attachment in message.attachments:
                kind = media_type(attachment.content_type)
                sent.append(self._send(psid, {"attachment": {"type": kind, "payload": {
                    "attachment_id": self.upload(attachment, kind)}}}))
        except GraphError as exc:
            if not sent:
                raise
            raise DeliveryError(f"{len(sent)} part(s) sent (first {sent[0]}), then: {exc.reason}",
                                retryable=False) from exc
        if not sent:
            raise DeliveryError("nothing to send", retryable=False)
        return DeliveryReceipt(provider_id=sent[0])

    def upload(self, attachment: Attachment, kind: str) -> str:
        """Upload a file for sending; its attachment id."""
        message = {"attachment": {"type": kind, "payload": {"is_reusable": False}}}
        answer = self.client.post_multipart(
            f"{self.settings.page_id}/message_attachments", {"message": json.dumps(message)},
            filename=attachment.filename, content=attachment.content, content_type=attachment.content_type,
            file_field="filedata")
        attachment_id = answer.get("attachment_id")
        if not attachment_id:
            raise GraphError(f"attachment upload answered without an id: {answer}", retryable=True)
        return str(attachment_id)

    def fetch_file(self, ref: FileRef, max_bytes: int) -> Attachment:
        """A file a customer sent, downloaded from its signed link (no token is sent there)."""
        content, content_type = self.client.download(ref.url, max_bytes, authorized=False)
        return Attachment(filename=ref.filename, content=content, content_type=content_type)

    def profile_name(self, psid: str) -> str | None:
        """The customer's name as the Page may see it, or None when the API will not say."""
        try:
            answer = self.client.get_json(f"{psid}?fields=name")
        except DeliveryError:
            return None
        name = answer.get("name")
        return name.strip() if isinstance(name, str) and name.strip() else None

    def _send(self, psid: str, message: dict) -> str:
        body = {"recipient": {"id": psid}, "messaging_type": "RESPONSE", "message": message}
        answer = self.client.post_json(f"{self.settings.page_id}/messages", body)
        message_id = answer.get("message_id")
        if not isinstance(message_id, str) or not message_id:
            raise GraphError(f"the Send API answered without a message id: {answer}", retryable=False)
        return message_id
