"""Bytes to text as mail really arrives: wrong or missing charset labels and RFC 2047 headers.

Nothing here raises on bad input: every function returns the best text it can, and the
label it ended up using, so the parser can note where it had to guess.
"""

from __future__ import annotations

import binascii
import codecs
import re

# Labels seen in the wild that Python does not know, or knows as a narrower charset than the
# one mail clients actually write under that name (WHATWG encoding standard does the same).
_ALIASES = {
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "iso-2022-jp": "iso2022_jp_ext",
    "iso-8859-8-i": "iso8859-8",
    "iso-8859-6-i": "iso8859-6",
    "tis-620": "cp874",
    "windows-874": "cp874",
    "x-mac-roman": "mac-roman",
    "macintosh": "mac-roman",
    "unicode-1-1-utf-7": "utf-7",
}
# Labels that mean "we do not know".
_UNKNOWN = {"unknown-8bit", "x-unknown", "unknown", "default", "charset", "x-user-defined", "8bit", "binary"}
# Codecs that are not text encodings, or that turn bytes into something other than plain text.
_REFUSED = {"unicode_escape", "raw_unicode_escape", "idna", "punycode", "undefined"}
# Labels so often wrong that valid UTF-8 wins over them; ascii and latin-1 are read as cp1252.
_WEAK = {"ascii": "cp1252", "iso8859-1": "cp1252", "cp1252": "cp1252", "iso8859-15": "iso8859-15"}
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def codec_for(label: str | None) -> str | None:
    """Python's codec name for a MIME charset label, or None when it is missing or unknown."""
    if not label or not isinstance(label, str):
        return None
    name = label.strip().strip("\"';").strip().lower()
    if not name or len(name) > 40 or name in _UNKNOWN:
        return None
    name = _ALIASES.get(name, name)
    for candidate in (name, name.removeprefix("x-"), name.replace("_", "-")):
        try:
            info = codecs.lookup(candidate)
        except (LookupError, ValueError):
            continue
        if info.name in _REFUSED or not getattr(info, "_is_text_encoding", True):
            return None
        return info.name
    return None


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeError, LookupError, ValueError):
        return None


def decode_bytes(data: bytes, label: str | None = None) -> tuple[str, str]:
    """Decode `data` declared as `label`; return the text and the codec actually used.

    A trustworthy label is honoured; UTF-8 is tried next (many "us-ascii" or "iso-8859-1" parts
    are really UTF-8); unlabelled ISO-2022-JP is recognised by its escapes; bytes that fit nothing
    are read as windows-1252 (or mostly-UTF-8 with replacement characters).
    """
    codec = codec_for(label)
    strong = codec is not None and codec not in _WEAK
    attempts = [codec] if strong and codec else []
    if not strong and b"\x1b$" in data:  # 7-bit, so it would pass for UTF-8
        attempts.append("iso2022_jp_ext")
    attempts.append("utf-8")
    for name in attempts:
        text = _strict(data, name)
        if text is not None:
            return text, name
    if _UTF8_MULTIBYTE.search(data):
        return data.decode("utf-8", "replace"), "utf-8"
    if strong and codec and codec != "utf-8":
        try:
            return data.decode(codec, "replace"), codec
        except (UnicodeError, LookupError, ValueError):
            pass
    fallback = _WEAK.get(codec or "", "cp1252")
    return data.decode(fallback, "replace"), fallback


def honoured(label: str | None, used: str) -> bool:
    """True when `decode_bytes` read the bytes as their label says (or as its usual superset)."""
    codec = codec_for(label)
    return codec is not None and _WEAK.get(codec, codec) == used


def decode_header_bytes(data: bytes, hint: str | None = None) -> str:
    """Raw 8-bit header bytes as text: UTF-8 (RFC 6532) first, else the message's own charset."""
    return _strict(data, "utf-8") or decode_bytes(data, hint)[0]


def fix_surrogates(value: str, hint: str | None = None) -> str:
    """Turn raw 8-bit bytes the stdlib parser smuggled into a str (as surrogates) into text."""
    if not any("\udc80" <= char <= "\udcff" for char in value):
        return value
    return decode_header_bytes(value.encode("utf-8", "surrogateescape"), hint)


_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([QqBb])\?([^?]*)\?=")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def _word_bytes(encoding: str, text: str) -> bytes | None:
    raw = text.encode("utf-8", "surrogateescape")
    if encoding in "Bb":
        raw = re.sub(rb"[^A-Za-z0-9+/]", b"", raw)
        raw += b"=" * (-len(raw) % 4)
        try:
            return binascii.a2b_base64(raw)
        except (binascii.Error, ValueError):
            return None
    raw = raw.replace(b"_", b" ")
    return re.sub(rb"=([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)


def decode_words(value: str, hint: str | None = None) -> str:
    """Decode a header value with RFC 2047 encoded words into one line of text.

    Adjacent encoded words in one charset are joined before decoding (senders split multi-byte
    characters across them); whitespace between encoded words is dropped; raw 8-bit text and
    broken words are kept as text rather than lost.
    """
    parts: list[str] = []
    pending: list[tuple[str, bytes]] = []  # (charset label, bytes) of adjacent encoded words

    def flush() -> None:
        if pending:
            parts.append(decode_bytes(b"".join(chunk for _, chunk in pending), pending[0][0])[0])
            pending.clear()

    position = 0
    for match in _ENCODED_WORD.finditer(value):
        between = value[position:match.start()]
        if between.strip() or not pending:
            flush()
            parts.append(fix_surrogates(between, hint))
        label = match.group(1).split("*", 1)[0]  # RFC 2231 language suffix: =?utf-8*en?Q?...?=
        chunk = _word_bytes(match.group(2), match.group(3))
        if chunk is None:
            flush()
            parts.append(match.group(0))
        else:
            if pending and pending[0][0].lower() != label.lower():
                flush()
            pending.append((label, chunk))
        position = match.end()
    flush()
    parts.append(fix_surrogates(value[position:], hint))
    return " ".join(_CONTROL.sub(" ", "".join(parts)).split())
