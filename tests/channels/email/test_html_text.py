"""Plain text from HTML-only mail."""

from __future__ import annotations

from channels.email.html_text import html_to_text, sniff_charset


def test_paragraphs_breaks_lists_and_entities_survive():
    html = "<p>Hi&nbsp;Ana,</p><p>Line one<br>Line two &amp; more</p><ul><li>a</li><li>b</li></ul>"
    assert html_to_text(html) == "Hi Ana,\n\nLine one\nLine two & more\n\n- a\n- b"


def test_scripts_styles_head_and_comments_vanish():
    html = ("<html><head><title>T</title><style>p{}</style></head><body><!-- hidden -->"
            "<script>alert(1)</script><p>shown</p></body></html>")
    assert html_to_text(html) == "shown"


def test_blockquotes_become_quoted_lines():
    html = "<div>Yes.</div><div>On Mon, Bo wrote:</div><blockquote><p>Question?</p><p>More</p></blockquote>"
    assert html_to_text(html) == "Yes.\nOn Mon, Bo wrote:\n\n> Question?\n\n> More"


def test_preformatted_text_keeps_its_lines():
    assert html_to_text("<pre>a\n  b\n</pre>") == "a\n  b"


def test_markup_the_stdlib_parser_chokes_on_still_yields_text():
    assert "text" in html_to_text("<![if !supportLists]>text<![endif]><p>more</p>")


def test_meta_charset_is_sniffed_from_the_head():
    assert sniff_charset(b'<html><head><meta charset="windows-1251"></head>') == "windows-1251"
    assert sniff_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-2">') == "iso-8859-2"
    assert sniff_charset(b"<p>none</p>") is None


def test_deeply_nested_quotes_are_marked_at_most_eight_deep():
    text = html_to_text("<blockquote>" * 500 + "deep")
    assert text == "> " * 8 + "deep"
