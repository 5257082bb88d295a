"""The outgoing mail builder marks automatic mail with the RFC 3834 kind the sender chose."""

from __future__ import annotations

import pytest

from channels.base import AUTO_GENERATED, AUTO_REPLIED, DeliveryError, OutboundMessage, Sender
from channels.email.smtp import SmtpSettings, build_email

SETTINGS = SmtpSettings(host="127.0.0.1", port=25, from_address="support@helpdesk.example")


def outbound(**fields) -> OutboundMessage:
    return OutboundMessage(message_id=7, channel="email", source=None, recipient=Sender("email", "ana@example.com"),
                           body_text="Hello", subject="Hi", **fields)


def test_a_persons_reply_carries_no_auto_submitted_header():
    mail = build_email(outbound(), SETTINGS)
    assert mail["Auto-Submitted"] is None and mail["X-Auto-Response-Suppress"] is None


@pytest.mark.parametrize("kind", [AUTO_REPLIED, AUTO_GENERATED])
def test_an_automatic_message_carries_the_kind_it_was_given(kind):
    mail = build_email(outbound(auto_submitted=kind), SETTINGS)
    assert mail["Auto-Submitted"] == kind and mail["X-Auto-Response-Suppress"] == "All"


def test_an_unknown_kind_is_refused_for_good_instead_of_reaching_a_header():
    with pytest.raises(DeliveryError) as refused:
        build_email(outbound(auto_submitted="auto-replied\r\nBcc: x@evil.example"), SETTINGS)
    assert refused.value.retryable is False and "Auto-Submitted" in refused.value.reason
