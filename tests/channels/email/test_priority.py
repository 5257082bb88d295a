"""Priority headers -> InboundMessage.priority_hint: the ways mail clients mark a mail urgent."""

from __future__ import annotations

import pytest

from channels.email.parser import parse_email


def mail(*headers: str) -> bytes:
    head = "\r\n".join(("From: ana@example.com", "To: help@example.org", "Subject: Hi", "Message-ID: <p@example.com>",
                        *headers))
    return f"{head}\r\n\r\nHello\r\n".encode()


@pytest.mark.parametrize("header", [
    "X-Priority: 1", "X-Priority: 2", "X-Priority: 1 (Highest)", "X-Priority:2 (High)", "Importance: high",
    "Importance: High", "Priority: urgent", "Priority: Urgent", "X-MSMail-Priority: High",
])
def test_headers_that_mark_a_mail_urgent_give_a_high_hint(header):
    assert parse_email(mail(header), source="mailbox:1").priority_hint == "high"


@pytest.mark.parametrize("header", [
    None, "X-Priority: 3", "X-Priority: 3 (Normal)", "X-Priority: 5 (Lowest)", "X-Priority: 12", "X-Priority: high-ish",
    "Importance: normal", "Importance: low", "Priority: normal", "Priority: non-urgent", "X-MSMail-Priority: Normal",
    "X-Priority:", "Importance: highest-of-all",
])
def test_other_values_give_no_hint(header):
    assert parse_email(mail(*([header] if header else [])), source="mailbox:1").priority_hint is None
