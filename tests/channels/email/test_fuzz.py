"""Whatever bytes arrive, the parser hands back a message; the only exception is MessageTooLarge."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels.base import InboundMessage
from channels.email.parser import parse_email

_HEADER_NAMES = [b"From", b"To", b"Cc", b"Subject", b"Message-ID", b"In-Reply-To", b"References", b"Date",
                 b"Content-Type", b"Content-Transfer-Encoding", b"Content-Disposition", b"Content-ID",
                 b"Auto-Submitted", b"Precedence", b"Return-Path", b"X-Failed-Recipients", b"Reply-To"]
_VALUES = [b"", b"<>", b"<a@b>", b"a@b, \"x, y\" <c@d>", b"=?utf-8?B?w6k=?=", b"=?x?Q?=FF_?=", b"=?utf-8?q?",
           b"multipart/mixed; boundary=b", b"multipart/alternative; boundary=\"b\"", b"message/rfc822",
           b"multipart/report; report-type=delivery-status; boundary=b", b"message/delivery-status",
           b"text/plain; charset=\"iso-2022-jp\"", b"text/html; charset=bogus", b"text/plain; format=flowed",
           b"base64", b"quoted-printable", b"x-uuencode", b"attachment; filename*0*=utf-8''%E2%82; filename*1=x",
           b"auto-replied", b"bulk", b"\xff\xfe\xe9", b"[#12] Re:", b"Mon, 99 Foo 2024 25:61:61 +9999"]
_BODY_LINES = [b"--b", b"--b--", b"", b"> quoted", b"-- ", b"On Mon, X wrote:", b"From: a@b", b"Sent: now",
               b"Final-Recipient: rfc822; x@y", b"Action: failed", b"Status: 5.1.1", b"=E9=", b"w6k", b"<p>x<br>",
               b"<![if x", b"\x00\x1b$B", b"begin 644 f.txt", b"Content-Type: message/rfc822"]

mail_like = st.builds(
    lambda headers, body, newline: newline.join(
        [name + b": " + value for name, value in headers] + [b""] + body
    ),
    st.lists(st.tuples(st.sampled_from(_HEADER_NAMES), st.one_of(st.sampled_from(_VALUES), st.binary(max_size=40))),
             max_size=12),
    st.lists(st.one_of(st.sampled_from(_BODY_LINES), st.binary(max_size=60)), max_size=30),
    st.sampled_from([b"\n", b"\r\n", b"\r"]),
)


def _check(message: InboundMessage) -> None:
    assert isinstance(message, InboundMessage)
    assert message.external_id.startswith("<") and len(message.external_id) <= 512
    for offset in (message.quoted_from, message.signature_from):
        assert offset is None or 0 <= offset <= len(message.body_text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_never_raise(raw: bytes):
    _check(parse_email(raw, source="fuzz"))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mail_like)
def test_mail_shaped_garbage_never_raises(raw: bytes):
    _check(parse_email(raw, source="fuzz"))


@settings(max_examples=50, deadline=None)
@given(mail_like)
def test_parsing_is_deterministic(raw: bytes):
    first, second = parse_email(raw, source="fuzz"), parse_email(raw, source="fuzz")
    assert first.external_id == second.external_id and first.body_text == second.body_text
