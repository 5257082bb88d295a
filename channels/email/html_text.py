"""Plain text from an HTML mail body, for messages that carry no text part.

Paragraphs and line breaks survive, entities are decoded, scripts and styles vanish, and
`<blockquote>` content is prefixed with "> " so quoted history is recognised like in plain mail.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_SKIP = {"script", "style", "title", "template", "head", "xml"}
_PARAGRAPH = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "pre", "blockquote", "hr", "dl"}
_LINE = {"div", "section", "article", "header", "footer", "tr", "li", "address", "dt", "dd", "center",
         "form", "fieldset", "figure", "main", "nav", "aside", "caption", "o:p"} | _PARAGRAPH
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_MAX_QUOTE_MARKS = 8  # deeper nesting is shown as this deep, or one hostile mail grows a gigabyte of "> "


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.buffer: list[str] = []
        self.line_quote = 0  # quote depth of the line being built
        self.quote = 0
        self.skip = 0
        self.pre = 0

    def _end_line(self, blank: bool = False) -> None:
        text = "".join(self.buffer)
        text = text.rstrip() if self.pre else text.strip()
        self.buffer = []
        if text:
            self.lines.append("> " * min(self.line_quote, _MAX_QUOTE_MARKS) + text)
        if blank and self.lines and self.lines[-1] != "":
            self.lines.append("")
        self.line_quote = self.quote

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag == "body":
            self.skip = 0  # a <head> that was never closed ends here
        elif tag == "br":
            self._end_line()
        elif tag in _LINE:
            self._end_line(blank=tag in _PARAGRAPH)
            self.quote += tag == "blockquote"
            self.pre += tag == "pre"
            self.line_quote = self.quote
            if tag == "li":
                self.buffer.append("- ")
        elif tag in ("td", "th") and self.buffer:
            self.buffer.append("  ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._end_line()
        elif tag == "hr":
            self._end_line(blank=True)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _LINE:
            self._end_line(blank=tag in _PARAGRAPH)
            if tag == "blockquote":
                self.quote = max(0, self.quote - 1)
            if tag == "pre":
                self.pre = max(0, self.pre - 1)
            self.line_quote = self.quote

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.pre:
            first, *rest = data.split("\n")
            self.buffer.append(first)
            for line in rest:
                self._end_line()
                self.buffer.append(line)
            return
        text = re.sub(r"\s+", " ", data)
        if text.strip() or (self.buffer and not self.buffer[-1].endswith(" ")):
            self.buffer.append(text)

    def text(self) -> str:
        self._end_line()
        return re.sub(r"\n{3,}", "\n\n", "\n".join(self.lines)).strip()


def html_to_text(markup: str) -> str:
    """Readable plain text for `markup`; never raises (falls back to stripping tags)."""
    extractor = _TextExtractor()
    try:
        extractor.feed(markup)
        extractor.close()
        return extractor.text()
    except Exception:  # the stdlib parser still asserts on some malformed markup
        stripped = html.unescape(_TAG.sub("", markup))
        return "\n".join(" ".join(line.split()) for line in stripped.splitlines() if line.strip())


def sniff_charset(html: bytes) -> str | None:
    """The charset an HTML document declares in a `<meta>` tag near its start, if any."""
    match = _META_CHARSET.search(html[:4096])
    return match.group(1).decode("ascii") if match else None
