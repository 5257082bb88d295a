"""Header fields as they are on the wire: unfolding, lookup, and MIME parameters (RFC 2045/2231).

The stdlib's own parameter helpers replace raw 8-bit bytes with "?" and trust a wrong RFC 2231
charset label; these keep the bytes and decode them with the same fallbacks as bodies.
"""

from __future__ import annotations

import re
from email.message import Message
from urllib.parse import unquote_to_bytes

from channels.email.charsets import decode_bytes, decode_header_bytes, decode_words

Headers = dict[str, list[str]]  # lower-cased name -> raw values in order of appearance

_PARAM = re.compile(r';\s*([^\s=;"]+)\s*=\s*("(?:[^"\\]|\\.)*"?|[^;]*)')
_SECTION = re.compile(r"(.+?)\*(\d{1,3})?(\*)?")


def unfold(value: str) -> str:
    """One header value on one line (RFC 5322 unfolding)."""
    return re.sub(r"\r?\n(?=[ \t])", "", value).replace("\r", "").replace("\n", "").strip()


def read_headers(message: Message) -> Headers:
    """The message's own header fields, unfolded, keyed by lower-cased name."""
    headers: Headers = {}
    for name, value in message.raw_items():
        headers.setdefault(str(name).strip().lower(), []).append(unfold(str(value)))
    return headers


def first(headers: Headers, name: str) -> str:
    """The first value of header `name`, or an empty string."""
    values = headers.get(name)
    return values[0] if values else ""


def raw_header(message: Message, name: str) -> str:
    """The first raw value of header `name` (lower-case) of one part, unfolded; empty when absent."""
    return next((unfold(str(value)) for key, value in message.raw_items() if str(key).lower() == name), "")


def params(value: str, hint: str | None = None) -> dict[str, str]:
    """The parameters of a structured header (`type/sub; name="x"; filename*=utf-8''y`), decoded.

    RFC 2231 continuations and charsets are honoured (with fallbacks when the label lies), RFC
    2047 words inside quoted values are decoded (Outlook and Gmail write filenames that way), and
    raw 8-bit bytes are read as UTF-8 or else as `hint`, the charset the message declares.
    """
    found: dict[str, str] = {}
    sections: dict[str, list[tuple[int, bool, str]]] = {}
    for match in _PARAM.finditer(value):
        key, text = match.group(1).lower(), match.group(2).strip()
        if text.startswith('"'):
            text = text[1:-1] if len(text) > 1 and text.endswith('"') else text[1:]
            text = text.replace("\\\\", "\\").replace('\\"', '"')  # Windows paths keep their backslashes
        section = _SECTION.fullmatch(key)
        if section and (section.group(2) is not None or section.group(3) is None):
            encoded = section.group(3) is not None or section.group(2) is None
            sections.setdefault(section.group(1), []).append((int(section.group(2) or 0), encoded, text))
        else:
            found.setdefault(key, decode_words(text, hint))
    for name, parts in sections.items():
        found[name] = _rfc2231(sorted(parts), hint)
    return found


def _rfc2231(parts: list[tuple[int, bool, str]], hint: str | None) -> str:
    charset: str | None = None
    data = bytearray()
    for index, (_, encoded, text) in enumerate(parts):
        raw = text.encode("utf-8", "surrogateescape")
        if encoded:
            if index == 0 and raw.count(b"'") >= 2:
                label, _, raw = raw.split(b"'", 2)
                charset = label.decode("ascii", "replace") or None
            raw = unquote_to_bytes(raw)
        data += raw
    if charset:
        return decode_bytes(bytes(data), charset)[0]
    return decode_words(decode_header_bytes(bytes(data), hint), hint)
