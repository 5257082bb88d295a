"""Agent replies out through the Messenger Send API (`POST /{page_id}/messages`), and the files
and names of customers in.

Text goes out in pieces of at most 2,000 characters; a file is uploaded to
`/{page_id}/message_attachments` and sent by its attachment id. The receipt names the first
message id (`m_...`), which delivery callbacks name too.
"""

from __future__ import annotations

import functools
import json

from channels.base import Attachment, DeliveryError, DeliveryReceipt, OutboundMessage
from channels.messenger.parser import CHANNEL, FileRef
from channels.whatsapp.adapter import split_text
from channels.whatsapp.errors import GraphError
from channels.whatsapp.graph import GraphAccount, GraphClient, send_in_parts

TEXT_LIMIT = 2000
def media_type(content_type: str) -> str:
    """The Send API attachment type for a file of `content_type`."""
    kind = content_type.partition("/")[0]
    return kind if kind in ("image", "video", "audio") else "file"


class MessengerChannel:
    """The `Channel` adapter for one Facebook Page."""

    name = CHANNEL

    def __init__(self, account: GraphAccount, client: GraphClient | None = None) -> None:
        self.account = account  # account.sender_id is the Page id
        self.client = client or account.client()

    @classmethod
    def from_settings(cls, settings: dict) -> MessengerChannel:
        """The adapter for a channel account's adapter settings (page_id, access_token, ...)."""
        return cls(GraphAccount.from_settings(settings, "page_id"))

    def send(self, message: OutboundMessage) -> DeliveryReceipt:
        """Send the reply's text (in pieces of 2,000 characters) and then its files to the customer
        (their page-scoped id); the receipt names the first message (see `send_in_parts`)."""
        psid = message.recipient.address
        return send_in_parts([*(functools.partial(self._send, psid, {"text": piece})
                                for piece in split_text(message.body_text, TEXT_LIMIT)),
                              *(functools.partial(self._send_file, psid, file) for file in message.attachments)])

    def _send_file(self, psid: str, attachment: Attachment) -> str:
        kind = media_type(attachment.content_type)
        payload = {"attachment_id": self.upload(attachment, kind)}
        return self._send(psid, {"attachment": {"type": kind, "payload": payload}})

    def upload(self, attachment: Attachment, kind: str) -> str:
        """Upload a file for sending; its attachment id."""
        message = {"attachment": {"type": kind, "payload": {"is_reusable": False}}}
        answer = self.client.post_multipart(
            f"{self.account.sender_id}/message_attachments", {"message": json.dumps(message)},
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
        answer = self.client.post_json(f"{self.account.sender_id}/messages", body)
        message_id = answer.get("message_id")
        if not isinstance(message_id, str) or not message_id:
            raise GraphError(f"the Send API answered without a message id: {answer}", retryable=False)
        return message_id
