"""Charset labels that lie, RFC 2047 words and RFC 2231 parameters."""

from __future__ import annotations

import pytest

from channels.email.charsets import codec_for, decode_bytes, decode_words
from channels.email.headers import params


@pytest.mark.parametrize(("label", "codec"), [
    ("UTF-8", "utf-8"), ('"utf8"', "utf-8"), ("ks_c_5601-1987", "cp949"), ("gb2312", "gb18030"),
    ("x-mac-roman", "mac-roman"), ("unknown-8bit", None), ("base64", None), ("rot13", None), ("", None),
    ("no-such-charset", None), ("x" * 100, None),
])
def test_charset_labels_map_to_python_codecs(label, codec):
    assert codec_for(label) == codec


@pytest.mark.parametrize(("data", "label", "text"), [
    (b"caf\xc3\xa9", "us-ascii", "café"),  # labelled ascii, really UTF-8
    (b"caf\xc3\xa9", "iso-8859-1", "café"),  # labelled latin-1, really UTF-8
    (b"caf\xe9", "utf-8", "café"),  # labelled UTF-8, really windows-1252
    (b"\x80 \x93ok\x94", "iso-8859-1", "€ “ok”"),  # latin-1 label, windows-1252 bytes
    (b"\xa4", "iso-8859-15", "€"),
    (b"caf\xe9", None, "café"),
    (b"caf\xc3\xa9", "no-such-charset", "café"),
    ("日本語".encode("cp932"), "shift_jis", "日本語"),
    ("日本語".encode("iso2022_jp"), None, "日本語"),  # unlabelled JIS, recognised by its escapes
    (b"ok \xc3\xa9 and one stray \xff", "utf-8", "ok é and one stray \ufffd"),
])
def test_decode_bytes_falls_back_sensibly(data, label, text):
    assert decode_bytes(data, label)[0] == text


@pytest.mark.parametrize(("value", "text"), [
    ("=?utf-8?q?Caf=C3=A9?= =?utf-8?q?_cr=C3=A8me?=", "Café crème"),  # whitespace between words dropped
    ("=?utf-8?B?5bGx?= =?utf-8?B?55Sw?=", "山田"),
    ("=?UTF-8?B?5bE=?= =?UTF-8?B?seeUsA==?=", "山田"),  # a character split across two words
    ("Re: =?ISO-8859-1?Q?d=E9j=E0?= vu", "Re: déjà vu"),
    ("=?iso-8859-1*fr?Q?apr=E8s?=", "après"),
    ("=?utf-8?Q?unterminated", "=?utf-8?Q?unterminated"),
    ("=?no-such?Q?voil=C3=A0?=", "voilà"),
    ("folded\r\n line", "folded line"),
])
def test_encoded_words_decode_leniently(value, text):
    assert decode_words(value) == text


def test_raw_8bit_header_text_is_read_as_utf8_else_as_the_declared_charset():
    assert decode_words("caf\udcc3\udca9") == "café"
    assert decode_words("caf\udce9", hint="iso-8859-1") == "café"
    assert decode_words("\udcc9\udcbd\udccc\udcef", hint="gb2312") == "山田"


@pytest.mark.parametrize(("value", "expected"), [
    ('attachment; filename="a;b.pdf"', {"filename": "a;b.pdf"}),
    ("attachment; filename*=UTF-8''%C3%A5r.pdf", {"filename": "år.pdf"}),
    ("attachment; filename*0*=UTF-8''%C3%A5; filename*1=r; filename*2*=%2Epdf", {"filename": "år.pdf"}),
    ("attachment; filename*=\"us-ascii''M%E4t.pdf\"", {"filename": "Mät.pdf"}),
    ('attachment; filename="=?UTF-8?Q?m=C3=A4rz.pdf?="', {"filename": "märz.pdf"}),
    ('attachment; filename="C:\\\\temp\\\\x.pdf"', {"filename": "C:\\temp\\x.pdf"}),
    ('text/plain; charset="iso-8859-1', {"charset": "iso-8859-1"}),
    ("text/plain; FORMAT=flowed; DelSp=Yes", {"format": "flowed", "delsp": "Yes"}),
])
def test_mime_parameters(value, expected):
    assert params(value) == expected
