"""Walk a parsed MIME tree: body text and HTML, attachments, inline images, nested messages.

Works on `email.message.Message` objects parsed with the `compat32` policy, which keeps header
values raw (so this package decides how to decode them) and does not raise while parsing.
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass, field
from email.generator import BytesGenerator
from email.message import Message
from email.parser import HeaderParser
from email.policy import compat32
from io import BytesIO

from channels.base import Attachment
from channels.email.charsets import decode_bytes, decode_words, honoured
from channels.email.headers import params, raw_header
from channels.email.html_text import sniff_charset

MAX_DEPTH = 30
MAX_PARTS = 1000
_BODY_TYPES = ("text/plain", "text/html")
_ALTERNATIVE_ONLY = ("text/enriched", "text/richtext", "text/watch-html")  # other renderings of the body
_EXTENSIONS = {
    "image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp",
    "application/pdf": ".pdf", "text/plain": ".txt", "text/html": ".html", "text/calendar": ".ics",
    "message/rfc822": ".eml", "message/global": ".eml", "text/rfc822-headers": ".txt",
    "message/delivery-status": ".txt", "message/disposition-notification": ".txt",
}
_DEFAULT_NAMES = {
    "message/delivery-status": "delivery-status.txt", "message/global-delivery-status": "delivery-status.txt",
    "text/rfc822-headers": "original-headers.txt", "message/disposition-notification": "disposition-notification.txt",
    "text/calendar": "invite.ics",
}
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass
class Content:
    """What a walk over the MIME tree found, in document order."""

    texts: list[str] = field(default_factory=list)
    htmls: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    status_texts: list[str] = field(default_factory=list)  # message/delivery-status bodies
    nested_ids: list[str] = field(default_factory=list)  # raw Message-IDs of attached messages
    report_types: list[str] = field(default_factory=list)  # report-type of each multipart/report
    charset: str | None = None  # the first charset a text part declares: the best guess for raw 8-bit headers
    defects: set[str] = field(default_factory=set)
    parts: int = 0


def walk(message: Message) -> Content:
    """Sort every part of `message` into body, attachments and delivery-report material."""
    content = Content(charset=params(raw_header(message, "content-type")).get("charset"))
    _visit(message, content, depth=0, parent="")
    return content


def _visit(part: Message, content: Content, depth: int, parent: str) -> None:
    content.parts += 1
    if content.parts > MAX_PARTS or depth > MAX_DEPTH:
        content.defects.add("too-many-parts" if content.parts > MAX_PARTS else "too-deeply-nested")
        return
    content.defects.update(type(defect).__name__ for defect in part.defects)
    ctype = part.get_content_type()
    if ctype.startswith("message/"):
        _message_part(part, ctype, content)
    elif part.is_multipart():
        if ctype == "multipart/report":
            content.report_types.append(params(raw_header(part, "content-type")).get("report-type", "").lower())
        for child in part.get_payload():
            if isinstance(child, Message):
                _visit(child, content, depth + 1, ctype)
    else:
        _leaf(part, ctype, content, parent)


def _leaf(part: Message, ctype: str, content: Content, parent: str) -> None:
    type_params = params(raw_header(part, "content-type"), content.charset)
    disposition = raw_header(part, "content-disposition")
    filename = _filename(params(disposition, content.charset).get("filename") or type_params.get("name"))
    body_type = "text/plain" if ctype.startswith("multipart/") else ctype  # a multipart with no boundary
    if body_type in _BODY_TYPES and not disposition.lower().startswith("attachment") and not filename:
        text = part_text(part, body_type, type_params, content)
        (content.htmls if body_type == "text/html" else content.texts).append(text)
        return
    if parent == "multipart/alternative" and ctype in _ALTERNATIVE_ONLY and not filename:
        return
    data = _payload(part)
    if ctype == "text/rfc822-headers":
        content.nested_ids.extend(_message_ids(HeaderParser(policy=compat32).parsestr(decode_bytes(data)[0])))
    content.attachments.append(_attachment(part, ctype, data, filename, len(content.attachments) + 1))


def _message_part(part: Message, ctype: str, content: Content) -> None:
    payload = part.get_payload()
    inner = [item for item in payload if isinstance(item, Message)] if isinstance(payload, list) else []
    filename = _filename(params(raw_header(part, "content-disposition"), content.charset).get("filename"))
    if ctype in ("message/delivery-status", "message/global-delivery-status"):
        text = "\n\n".join(_header_block(block) for block in inner) if inner else decode_bytes(_payload(part))[0]
        content.status_texts.append(text)
        data = text.encode("utf-8")
    elif ctype in ("message/rfc822", "message/global") and inner:
        content.nested_ids.extend(_message_ids(inner[0]))
        data = _flatten(inner[0])
        subject = decode_words(raw_header(inner[0], "subject"), content.charset)
        filename = filename or (_filename(subject + ".eml") if subject else None)
    else:
        data = _flatten(part) if inner else _payload(part)
    content.attachments.append(_attachment(part, ctype, data, filename, len(content.attachments) + 1))


def _header_block(block: Message) -> str:
    return "\n".join(f"{name}: {value}" for name, value in block.raw_items())


def _message_ids(message: Message) -> list[str]:
    value = raw_header(message, "message-id")
    return [value] if value else []


def _flatten(message: Message) -> bytes:
    buffer = BytesIO()
    try:
        BytesGenerator(buffer, mangle_from_=False, policy=compat32).flatten(message)
    except Exception:  # a message too broken to re-serialise: keep what its text form gives
        return str(message).encode("utf-8", "surrogateescape")
    return buffer.getvalue()


def _payload(part: Message) -> bytes:
    raw = part.get_payload()
    if isinstance(raw, str) and raw_header(part, "content-transfer-encoding").lower() == "base64":
        try:  # straight from the text: the stdlib splits it into lines first, tripling large attachments
            return binascii.a2b_base64(raw.encode("ascii", "surrogateescape"))
        except (binascii.Error, ValueError):
            pass  # bad padding: the stdlib's lenient decoder below repairs it
    try:
        data = part.get_payload(decode=True)
    except Exception:  # e.g. a uuencoded part the stdlib cannot undo
        data = None
    if isinstance(data, bytes):
        return data
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def part_text(part: Message, ctype: str, type_params: dict[str, str], content: Content) -> str:
    """The decoded text of a body part, with its charset label checked against its bytes."""
    data = _payload(part)
    label = type_params.get("charset") or (sniff_charset(data) if ctype == "text/html" else None)
    content.charset = content.charset or label
    text, used = decode_bytes(data, label)
    if not data.isascii() and not honoured(label, used):
        content.defects.add(f"charset:{(label or 'none').lower()}->{used}")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if type_params.get("format", "").lower() == "flowed":
        text = unflow(text, delsp=type_params.get("delsp", "").lower() == "yes")
    return text


def unflow(text: str, delsp: bool = False) -> str:
    """Undo RFC 3676 format=flowed: join soft-broken lines of the same quote depth."""
    out: list[tuple[int, str]] = []
    joining = False
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        body = line[depth:]
        body = body[1:] if body.startswith(" ") else body  # space-stuffing
        soft = body.endswith(" ") and body != "-- "
        if soft and delsp:
            body = body[:-1]
        if joining and out and out[-1][0] == depth:
            out[-1] = (depth, out[-1][1] + body)
        else:
            out.append((depth, body))
        joining = soft
    return "\n".join(">" * depth + (" " if depth and body else "") + body for depth, body in out)


def _filename(name: str | None) -> str | None:
    """A file name safe to show and store: no path, no control characters, at most 200 characters."""
    if not name:
        return None
    name = _UNSAFE_NAME.sub("", name).replace("\\", "/").rsplit("/", 1)[-1].strip(" .")
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = stem[:190] + dot + extension[:9] if dot and len(extension) < 10 else name[:200]
    return name or None


def _attachment(part: Message, ctype: str, data: bytes, filename: str | None, index: int) -> Attachment:
    content_id = decode_words(raw_header(part, "content-id")).strip("<> ")
    return Attachment(
        filename=filename or _DEFAULT_NAMES.get(ctype) or f"part-{index}{_EXTENSIONS.get(ctype, '.bin')}",
        content=data,
        content_type=ctype,
        content_id=content_id[:255] or None,
    )
