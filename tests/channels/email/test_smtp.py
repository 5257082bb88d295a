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


def test_every_attempt_of_one_message_carries_the_same_message_id():
    from dataclasses import replace

    from channels.email import message_ids

    keyed = replace(SETTINGS, message_id_key=b"k" * 32)
    first, again = (build_email(outbound(delivery_key="Ab3_xYz-9QwErTy0"), keyed)["Message-ID"] for _ in range(2))
    assert first == again and message_ids.verify(first, b"k" * 32) == 7
    assert build_email(outbound(delivery_key="Zz9_another-key1"), keyed)["Message-ID"] != first
    plain = [build_email(outbound(delivery_key="Ab3_xYz-9QwErTy0"), SETTINGS)["Message-ID"] for _ in range(2)]
    assert plain[0] == plain[1]
    # Without a delivery key (a one-off mail) each send gets a fresh id.
    assert build_email(outbound(), keyed)["Message-ID"] != build_email(outbound(), keyed)["Message-ID"]


def test_a_hand_over_that_cannot_be_recorded_leaves_the_server_without_the_mail(app, smtp_server):
    from channels.email.smtp import SmtpChannel

    def cannot_record(provider_id: str) -> None:
        raise RuntimeError("database is locked")

    settings = app.config["HELPDESK_SMTP"]
    with pytest.raises(DeliveryError) as failed:
        SmtpChannel(settings).send(outbound(handing_over=cannot_record))
    assert failed.value.retryable and "hand-over" in failed.value.reason
    heard: list[str] = []
    receipt = SmtpChannel(settings).send(outbound(handing_over=heard.append))
    assert heard == [receipt.provider_id]
    assert len(smtp_server.messages) == 1  # the first never reached the end of DATA
