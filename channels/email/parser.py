"""Bytes of one RFC 5322 message -> `InboundMessage`: pure, no database, no network.

`parse_email` never raises on malformed input; the one signal it gives is `MessageTooLarge`,
raised before any parsing so the caller can keep the raw message in its failed-mail store.
Whatever it had to guess is listed in `metadata["defects"]`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from email.feedparser import BytesFeedParser
from email.message import Message
from email.policy import compat32
from email.utils import getaddresses, parsedate_to_datetime

from channels.base import InboundMessage, Sender
from channels.email import loops
from channels.email.charsets import decode_bytes, decode_words, fix_surrogates
from channels.email.headers import Headers, first, read_headers
from channels.email.html_text import html_to_text
from channels.email.mime import Content, walk
from channels.email.priority import priority_hint
from channels.email.quotes import quote_start, signature_start

CHANNEL = "email"
DEFAULT_MAX_BYTES = 25 * 1024 * 1024
MAX_REFERENCES = 50  # References grows with every reply; the newest ones find the ticket
_CHUNK = 64 * 1024
_ID_MAX = 500  # the core stores external ids in 512 characters
_ID = re.compile(r"<([^<>]+)>")
_ADDRESS = re.compile(r"[^\s<>\"',;:()\[\]]+@[^\s<>\"',;:()\[\]]+")
_TICKET_TAG = re.compile(r"\[#\s?(\d{1,10})\]")


class MessageTooLarge(Exception):
    """The message is over the size limit: keep it raw (failed-mail store) instead of parsing it."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"message of {size} bytes is over the {limit}-byte limit")
        self.size = size
        self.limit = limit


def check_size(size: int, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """Raise `MessageTooLarge` when `size` (e.g. IMAP RFC822.SIZE, before fetching) is over the limit."""
    if size > max_bytes:
        raise MessageTooLarge(size, max_bytes)


def parse_email(raw: bytes, *, source: str, max_bytes: int = DEFAULT_MAX_BYTES,
                received_at: datetime | None = None, own_addresses: Iterable[str] = ()) -> InboundMessage:
    """Parse one raw message received by mailbox `source` into an `InboundMessage`.

    `received_at` (e.g. IMAP INTERNALDATE) wins over the Date header. `own_addresses` are the
    mailbox's addresses, left out of `participants`. Raises only `MessageTooLarge`; a message
    the stdlib cannot take apart comes back degraded (raw text as body, "parse-failed" defect).
    """
    check_size(len(raw), max_bytes)
    own = {address.strip().lower() for address in own_addresses}
    try:
        return _parse(bytes(raw), source, received_at, own)
    except MemoryError:
        raise
    except Exception as error:  # never lose a mail to a parser bug: hand back what we can read
        return _degraded(bytes(raw), source, received_at, error)


def _parse(raw: bytes, source: str, received_at: datetime | None, own: set[str]) -> InboundMessage:
    message = _parse_tree(raw)
    headers = read_headers(message)
    content = walk(message)
    subject = decode_words(first(headers, "subject"), content.charset)
    sender = _sender(headers, content)
    external_id = message_id(first(headers, "message-id"))
    if external_id is None:
        external_id = derived_id(raw)
        content.defects.add("no-message-id")
    body_text, body_html = _body(content)
    quoted_from = quote_start(body_text)
    system_sender = loops.is_system_address(sender.address)
    reasons = loops.automation_reasons(headers, subject) + ["system-sender"] * system_sender
    reasons += [f"report:{kind}" for kind in content.report_types if kind and kind != "delivery-status"]
    report = loops.delivery_report(content, headers, subject, sender.address, body_text)
    to, cc = (_recipients(headers, name, content.charset) for name in ("to", "cc"))
    refs = thread_refs(headers, external_id)
    if report is not None and report.original_id and report.original_id not in refs:
        refs += (report.original_id,)  # so the core finds the ticket whose mail bounced
    return InboundMessage(
        channel=CHANNEL, source=source, external_id=external_id, sender=sender, body_text=body_text,
        subject=subject or None, body_html=body_html, received_at=received_at or _date(headers, content),
        thread_refs=refs, ticket_hint=ticket_hint(subject), attachments=tuple(content.attachments),
        is_automated=bool(reasons) or report is not None, metadata=_metadata(headers, sender, reasons, content),
        participants=_participants(to + cc, sender, own), to=to, cc=cc, quoted_from=quoted_from,
        signature_from=signature_start(body_text, quoted_from), report=report, system_sender=system_sender,
        priority_hint=priority_hint(headers),
    )


def _parse_tree(raw: bytes) -> Message:
    """The stdlib MIME tree, fed in chunks: one big feed makes it hold every line twice over."""
    feeder = BytesFeedParser(policy=compat32)
    view = memoryview(raw)
    for start in range(0, len(raw), _CHUNK):
        feeder.feed(bytes(view[start:start + _CHUNK]))
    return feeder.close()


def _body(content: Content) -> tuple[str, str | None]:
    html = "\n".join(content.htmls) if content.htmls else None
    text = "\n\n".join(part.strip("\n") for part in content.texts if part.strip())
    if not text.strip() and html:
        text = html_to_text(html)
    return text, html


def addresses(value: str, hint: str | None = None) -> list[Sender]:
    """Every address in an address-list header value, display names decoded, addresses lower-cased.

    `hint` is the charset raw 8-bit display names are read in when they are not UTF-8.
    """
    try:
        pairs = getaddresses([value])
    except Exception:
        pairs = []
    found = []
    for name, address in pairs:
        address = fix_surrogates(address).strip().strip("<>").lower()
        plain = "@" in address and (" " not in address or address.startswith('"'))
        if plain or (address and loops.is_system_address(address)):  # "MAILER-DAEMON (Mail Delivery System)"
            display = decode_words(name, hint).strip("\"' ")
            found.append(Sender(kind="email", address=address, name=display if display and display != address else None))
    if not found:  # syntax the stdlib gave up on: salvage bare addresses
        found = [Sender(kind="email", address=match.lower()) for match in _ADDRESS.findall(fix_surrogates(value))]
    return found


def _sender(headers: Headers, content: Content) -> Sender:
    """From, else Sender, Return-Path or Reply-To; an empty address (and a defect) when none has one."""
    for name in ("from", "sender", "return-path", "reply-to"):
        for value in headers.get(name, ()):
            found = addresses(value, content.charset)
            if found:
                if name != "from":
                    content.defects.add(f"sender-from-{name}")
                return found[0]
    content.defects.add("no-sender")
    return Sender(kind="email", address="")


def message_id(value: str) -> str | None:
    """A Message-ID in its normal form `<left@right>`, or None when the value holds none."""
    match = _ID.search(value)
    token = match.group(1) if match else (value.split() or [""])[0]
    token = "".join(fix_surrogates(token).split()).strip("<>")
    if not token:
        return None
    if len(token) > _ID_MAX:
        return f"<{hashlib.sha256(token.encode('utf-8', 'surrogateescape')).hexdigest()[:40]}@long-id.invalid>"
    return f"<{token}>"


def derived_id(raw: bytes) -> str:
    """A stable Message-ID for a message without one: the same bytes always get the same id."""
    return f"<{hashlib.sha256(raw).hexdigest()[:40]}@derived.invalid>"


def thread_refs(headers: Headers, own_id: str) -> tuple[str, ...]:
    """Message-IDs this message answers: the newest References, then In-Reply-To."""
    references = [message_id(f"<{item}>") for item in _ID.findall(" ".join(headers.get("references", ())))]
    replying = [message_id(f"<{item}>") for item in _ID.findall(" ".join(headers.get("in-reply-to", ())))]
    if not references and not replying:  # bare ids without angle brackets
        replying = [message_id(item) for item in first(headers, "in-reply-to").split() if "@" in item]
    refs = [ref for ref in references[-MAX_REFERENCES:] + replying if ref and ref != own_id]
    return tuple(dict.fromkeys(refs))


def ticket_hint(subject: str) -> int | None:
    """The ticket number of a `[#123]` tag anywhere in the subject (after Re:/Fwd:/AW: and the like)."""
    match = _TICKET_TAG.search(subject)
    number = int(match.group(1)) if match else 0
    return number if 0 < number < 2**31 else None


def _recipients(headers: Headers, name: str, hint: str | None) -> tuple[Sender, ...]:
    """Everyone in the `name` (to, cc) headers, in order, each address once."""
    found: dict[str, Sender] = {}
    for value in headers.get(name, ()):
        for person in addresses(value, hint):
            found.setdefault(person.address, person)
    return tuple(found.values())


def _participants(recipients: tuple[Sender, ...], sender: Sender, own: set[str]) -> tuple[Sender, ...]:
    """The other people the message went to: neither its sender nor us."""
    seen = {sender.address} | own
    found = []
    for person in recipients:
        if person.address not in seen:
            seen.add(person.address)
            found.append(person)
    return tuple(found)


def _date(headers: Headers, content: Content) -> datetime | None:
    value = first(headers, "date")
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        moment = None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment is None or moment.year < 1990 or moment > datetime.now(UTC) + timedelta(days=1):
        if value:
            content.defects.add("bad-date")  # a broken clock: the caller uses the time it received the mail
        return None
    return moment.astimezone(UTC)


def _metadata(headers: Headers, sender: Sender, reasons: list[str], content: Content) -> dict[str, str]:
    metadata: dict[str, str] = {}
    to = [person.address for value in headers.get("to", ()) for person in addresses(value)]
    if to:
        metadata["to"] = ", ".join(to)
    delivered_to = addresses(first(headers, "delivered-to") or first(headers, "x-original-to"))
    if delivered_to:
        metadata["delivered_to"] = delivered_to[0].address
    reply_to = addresses(first(headers, "reply-to"))
    if reply_to and reply_to[0].address != sender.address:
        metadata["reply_to"] = reply_to[0].address
    if reasons:
        metadata["automation"] = "; ".join(reasons)
    if content.defects:
        metadata["defects"] = ", ".join(sorted(content.defects))
    return metadata


def _degraded(raw: bytes, source: str, received_at: datetime | None, error: Exception) -> InboundMessage:
    """What is left when the MIME parser itself failed: ids and sender by pattern, raw text as body."""
    head, *rest = re.split(rb"\r?\n\r?\n", raw, maxsplit=1)
    body = rest[0] if rest else b""
    head_text = decode_bytes(head)[0]
    found_id = re.search(r"(?im)^message-id:\s*(<[^>\r\n]+>)", head_text)
    found_from = re.search(r"(?im)^from:(.*)$", head_text)
    sender = _ADDRESS.search(found_from.group(1)) if found_from else None
    return InboundMessage(
        channel=CHANNEL, source=source,
        external_id=(message_id(found_id.group(1)) if found_id else None) or derived_id(raw),
        sender=Sender(kind="email", address=sender.group(0).lower() if sender else ""),
        body_text=decode_bytes(body or head)[0], received_at=received_at,
        metadata={"defects": f"parse-failed:{type(error).__name__}"},
    )
