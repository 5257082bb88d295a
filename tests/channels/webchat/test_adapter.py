"""The web chat adapter: visitor messages as InboundMessage, replies pushed live or e-mailed."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from channels.base import DeliveryError, DeliveryReceipt, OutboundMessage, Sender
from channels.webchat.adapter import VisitorMessage, WebchatChannel, to_inbound
from channels.webchat.identity import hash_matches, identity_hash


def reply(kind: str = "webchat", address: str = "visitor-1") -> OutboundMessage:
    return OutboundMessage(message_id=7, channel="webchat", source="webchat:3",
                           recipient=Sender(kind=kind, address=address, name="Ana"), body_text="Hello Ana")


class RecordingMail:
    name = "email"

    def __init__(self) -> None:
        self.sent: list[OutboundMessage] = []

    def send(self, message: OutboundMessage) -> DeliveryReceipt:
        self.sent.append(message)
        return DeliveryReceipt(provider_id="<mail@example>")


def test_a_visitor_message_is_one_thread_per_visitor_and_unique_per_client_id():
    inbound = to_inbound(VisitorMessage(source="webchat:3", visitor_id="v1", client_id="abc123", text="Hi",
                                        name="Ana", subject="Billing"))
    assert (inbound.channel, inbound.source, inbound.thread_key) == ("webchat", "webchat:3", "v1")
    assert inbound.external_id == "v1:abc123"
    assert inbound.sender == Sender(kind="webchat", address="v1", name="Ana")
    assert inbound.subject == "Billing"


def test_a_reply_to_a_connected_visitor_is_delivered_at_once():
    pushed = []
    receipt = WebchatChannel(lambda m: pushed.append(m) or True).send(reply())
    assert receipt == DeliveryReceipt(provider_id="webchat-7", state="delivered")
    assert pushed[0].body_text == "Hello Ana"


def test_a_reply_to_a_visitor_who_left_waits_as_sent_without_a_proven_address():
    mail = RecordingMail()
    receipt = WebchatChannel(lambda m: False, email=mail, email_of=lambda visitor: None).send(reply())
    assert receipt.state == "sent" and mail.sent == []


def test_a_reply_to_a_visitor_who_left_goes_to_their_proven_address():
    mail = RecordingMail()
    channel = WebchatChannel(lambda m: False, email=mail, email_of=lambda visitor: "ana@example.com")
    assert channel.send(reply()).provider_id == "<mail@example>"
    assert mail.sent[0].recipient == Sender(kind="email", address="ana@example.com", name="Ana")
    assert mail.sent[0].channel == "email"


def test_a_conversation_that_moved_to_email_stays_there():
    mail = RecordingMail()
    channel = WebchatChannel(lambda m: pytest.fail("not pushed"), email=mail)
    channel.send(reply(kind="email", address="ana@example.com"))
    assert mail.sent[0].recipient.address == "ana@example.com"


def test_other_identities_cannot_be_reached_through_the_chat():
    with pytest.raises(DeliveryError) as error:
        WebchatChannel(lambda m: True).send(reply(kind="telegram", address="123"))
    assert not error.value.retryable


def test_identity_hash_is_hmac_sha256_of_the_canonical_address():
    # What the customer's site runs (in any language): HMAC-SHA256(secret, email), hex.
    expected = hmac.new(b"s3cret-s3cret-s3cret", b"ana@example.com", hashlib.sha256).hexdigest()
    assert identity_hash("s3cret-s3cret-s3cret", " Ana@Example.com ") == expected
    assert hash_matches("s3cret-s3cret-s3cret", "ana@example.com", expected.upper())
    assert not hash_matches("s3cret-s3cret-s3cret", "ben@example.com", expected)
    assert not hash_matches("another-secret-entirely", "ana@example.com", expected)
    assert not hash_matches(None, "ana@example.com", expected)
    assert not hash_matches("s3cret-s3cret-s3cret", "ana@example.com", "")
