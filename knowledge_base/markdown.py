"""Article bodies: Markdown rendered to HTML, then sanitised with nh3, and their plain text."""

from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt

# Raw HTML in Markdown is off: a `<script>` is shown as text. nh3 then removes anything the
# renderer could still produce that is unsafe (javascript: links, event handlers, styles).
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"])
_URL_SCHEMES = {"http", "https", "mailto", "tel"}
_TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
         "img", "kbd", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead",
         "tr", "ul"}
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"}, "td": {"align"},
               "ol": {"start"}, "code": {"class"}}
_BLOCK_TAG = re.compile(r"</?(?:p|h[1-6]|li|ul|ol|pre|blockquote|table|thead|tbody|tr|td|th|br|hr|img)\b[^>]*>")
_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")


def render(markdown: str) -> str:
    """Safe HTML for `markdown` (CommonMark with tables and strike-through)."""
    return nh3.clean(_md.render(markdown or ""), tags=_TAGS, attributes=_ATTRIBUTES, url_schemes=_URL_SCHEMES,
                     link_rel="noopener noreferrer nofollow")


def plain_text(safe_html: str) -> str:
    """The text of rendered HTML, on one line (for the search index and text inserted into replies)."""
    return _SPACES.sub(" ", html.unescape(_TAG.sub("", _BLOCK_TAG.sub(" ", safe_html or "")))).strip()


def plain_text_blocks(markdown: str) -> str:
    """The text of `markdown` with paragraphs kept apart by blank lines (for a plain-text reply)."""
    blocks = re.split(r"</(?:p|h[1-6]|li|pre|blockquote|tr)>", render(markdown))
    return "\n\n".join(t for t in (plain_text(b) for b in blocks) if t)
