"""Edge cases of `parse_email`, each on a tiny message written inline."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from channels.email import parser
from channels.email.parser import MessageTooLarge, check_size, parse_email


def mail(headers: str = "", body: str = "Hello.", *, sender: str = "From: Ana <ana@example.com>") -> bytes:
    lines = [sender, "To: support@acme.test", *[line for line in headers.strip().splitlines() if line]]
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode("utf-8")


def test_a_message_over_the_limit_raises_before_it_is_parsed(monkeypatch):
    monkeypatch.setattr(parser, "_parse_tree", None)  # parsing would fail loudly
    raw = mail(body="x" * 200)
    with pytest.raises(MessageTooLarge) as caught:
        parse_email(raw, source="box", max_bytes=100)
    assert caught.value.size == len(raw) and caught.value.limit == 100


def test_a_message_at_the_limit_is_parsed():
    raw = mail()
    assert parse_email(raw, source="box", max_bytes=len(raw)).body_text == "Hello."


def test_check_size_lets_the_caller_refuse_before_fetching():
    check_size(25 * 1024 * 1024)
    with pytest.raises(MessageTooLarge):
        check_size(25 * 1024 * 1024 + 1)


def test_a_message_without_message_id_gets_the_same_derived_id_on_every_fetch():
    raw = mail("Subject: no id")
    first, again = parse_email(raw, source="box"), parse_email(raw, source="box")
    assert first.external_id == again.external_id
    assert first.external_id.startswith("<") and first.external_id.endswith("@derived.invalid>")
    assert parse_email(raw + b" ", source="box").external_id != first.external_id
    assert "no-message-id" in first.metadata["defects"]


@pytest.mark.parametrize(("header", "expected"), [
    ("Message-ID: <abc@example.com>", "<abc@example.com>"),
    ("Message-ID: abc@example.com", "<abc@example.com>"),
    ("Message-ID:\r\n <abc@example.com>", "<abc@example.com>"),
    ("Message-ID: <abc@example.com> <second@example.com>", "<abc@example.com>"),
    ("Message-ID: <abc @example.com>", "<abc@example.com>"),
])
def test_message_id_is_normalised_with_angle_brackets(header, expected):
    assert parse_email(mail(header), source="box").external_id == expected


def test_an_overlong_message_id_is_hashed_to_fit_the_store():
    external_id = parse_email(mail(f"Message-ID: <{'x' * 900}@example.com>"), source="box").external_id
    assert len(external_id) < 100 and external_id.endswith("@long-id.invalid>")


def test_thread_refs_keep_the_newest_references_then_in_reply_to_without_duplicates():
    references = " ".join(f"<r{i}@example.com>" for i in range(80))
    message = parse_email(mail(f"Message-ID: <me@example.com>\r\nReferences: {references} <me@example.com>\r\n"
                               "In-Reply-To: <r79@example.com> (Ana's message)"), source="box")
    assert message.thread_refs[0] == "<r31@example.com>" and message.thread_refs[-1] == "<r79@example.com>"
    assert len(message.thread_refs) == len(set(message.thread_refs)) == 49


def test_in_reply_to_without_angle_brackets_still_threads():
    assert parse_email(mail("In-Reply-To: abc@example.com"), source="box").thread_refs == ("<abc@example.com>",)


@pytest.mark.parametrize(("subject", "hint"), [
    ("Re: Fwd: AW: RE: Printer [#12345]", 12345),
    ("[#7] first", 7),
    ("Re:[# 42]", 42),
    ("Order #123", None),
    ("[#0] zero", None),
    ("[#99999999999] too big", None),
])
def test_ticket_hint_comes_from_a_subject_tag_after_any_prefixes(subject, hint):
    assert parse_email(mail(f"Subject: {subject}"), source="box").ticket_hint == hint


def test_sender_falls_back_to_return_path_and_is_lower_cased():
    message = parse_email(mail("Return-Path: <Robot@Example.COM>", sender="X-Nothing: 1"), source="box")
    assert message.sender.address == "robot@example.com"
    assert "sender-from-return-path" in message.metadata["defects"]


def test_a_message_with_no_sender_anywhere_has_an_empty_address_and_says_so():
    message = parse_email(mail(sender="X-Nothing: 1"), source="box")
    assert message.sender.address == "" and "no-sender" in message.metadata["defects"]


def test_cc_and_extra_to_are_participants_without_us_or_the_sender():
    message = parse_email(mail("Cc: Bo <BO@example.com>, support@acme.test, ana@example.com\r\n"
                               "To: Cy <cy@example.com>"), source="box", own_addresses=["Support@Acme.test"])
    assert [(p.address, p.name) for p in message.participants] == [("cy@example.com", "Cy"), ("bo@example.com", "Bo")]


def test_received_at_from_the_caller_wins_over_the_date_header():
    moment = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    raw = mail("Date: Mon, 8 Jan 2024 10:00:00 +0100")
    assert parse_email(raw, source="box").received_at == datetime(2024, 1, 8, 9, 0, tzinfo=UTC)
    assert parse_email(raw, source="box", received_at=moment).received_at == moment


@pytest.mark.parametrize("date", ["not a date", "Mon, 1 Jan 1970 00:00:00 +0000", "Fri, 1 Jan 2100 00:00:00 +0000"])
def test_a_broken_or_implausible_date_is_left_to_the_caller(date):
    message = parse_email(mail(f"Date: {date}"), source="box")
    assert message.received_at is None and "bad-date" in message.metadata["defects"]


def test_text_is_derived_from_html_when_the_text_part_is_blank():
    body = ("--b\r\nContent-Type: text/plain\r\n\r\n \r\n--b\r\nContent-Type: text/html\r\n\r\n"
            "<p>Hi&nbsp;there</p><p>Line<br>two</p>\r\n--b--\r\n")
    message = parse_email(mail('Content-Type: multipart/alternative; boundary="b"', body), source="box")
    assert message.body_text == "Hi there\n\nLine\ntwo"
    assert message.body_html.startswith("<p>Hi&nbsp;there</p>")


def test_a_deeply_nested_message_is_cut_off_not_crashed():
    depth = 200
    body = "".join(f"--b{i}\r\nContent-Type: multipart/mixed; boundary=b{i + 1}\r\n\r\n" for i in range(depth))
    body += f"--b{depth}\r\nContent-Type: text/plain\r\n\r\ndeep\r\n"
    message = parse_email(mail("Content-Type: multipart/mixed; boundary=b0", body), source="box")
    assert "too-deeply-nested" in message.metadata["defects"]


def test_when_the_stdlib_parser_fails_a_degraded_message_still_comes_back(monkeypatch):
    def broken(_message):
        raise RuntimeError("parser bug")

    monkeypatch.setattr(parser, "walk", broken)
    raw = mail("Message-ID: <kept@example.com>", "Body survives \xe9.")
    message = parse_email(raw, source="box")
    assert message.external_id == "<kept@example.com>"
    assert message.sender.address == "ana@example.com"
    assert message.body_text == "Body survives \xe9."
    assert message.metadata["defects"] == "parse-failed:RuntimeError"


@pytest.mark.parametrize(("header", "automated"), [
    ("Auto-Submitted: auto-replied", True),
    ("Auto-Submitted: no", False),
    ("Precedence: list", True),
    ("Precedence: first-class", False),
    ("X-Loop: partner", True),
    ("X-Auto-Response-Suppress: OOF, AutoReply", True),
    ("X-Autoreply: yes", True),
    ("X-Autorespond: vacation", True),
    ("Return-Path: <>", True),
    ("Subject: Out of Office: back Monday", True),
    ("Subject: Question about out of office hours", False),
])
def test_machine_written_mail_is_marked_automated(header, automated):
    assert parse_email(mail(header), source="box").is_automated is automated


@pytest.mark.parametrize(("address", "system"), [
    ("MAILER-DAEMON@example.com", True), ("postmaster@example.com", True), ("no-reply@example.com", True),
    ("noreply+shipping@example.com", True), ("do_not_reply@example.com", True), ("norbert@example.com", False),
])
def test_system_senders_are_flagged(address, system):
    message = parse_email(mail(sender=f"From: {address}"), source="box")
    assert message.system_sender is system and message.is_automated is system


def test_a_bounce_names_the_failed_outbound_message_and_threads_onto_it():
    body = ("--r\r\nContent-Type: text/plain\r\n\r\nFailed.\r\n"
            "--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
            "Final-Recipient: rfc822; Bob@Example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
            "--r\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <ours@acme.test>\r\n\r\n--r--\r\n")
    message = parse_email(mail('Content-Type: multipart/report; report-type=delivery-status; boundary="r"', body,
                               sender="From: MAILER-DAEMON@mx.example.org"), source="box")
    assert message.report is not None and message.report.failed
    assert message.report.original_id == "<ours@acme.test>"
    assert [(r.address, r.action, r.status) for r in message.report.recipients] == [("bob@example.org", "failed", "5.1.1")]
    assert message.thread_refs == ("<ours@acme.test>",)
    assert message.body_text == "Failed."


def test_a_person_writing_about_undeliverable_goods_is_not_a_bounce():
    message = parse_email(mail("Subject: Undeliverable parcel, please help"), source="box")
    assert message.report is None and not message.is_automated
