"""Icons are SVG (Lucide, bundled at build time), never emoji glyphs: without an emoji font those
render as empty boxes."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Pictographs, dingbats and miscellaneous symbols (where emoji live), and the emoji variation selector.
EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B50-\u2B55\u2300-\u23FF\uFE0F]")
SOURCES = ["helpdesk/templates", "knowledge_base/templates", "frontend"]


def test_no_template_or_front_end_script_contains_an_emoji_glyph():
    found = []
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".html", ".js", ".css", ".mjs"):
                for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                    if EMOJI.search(line):
                        found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    assert found == []


def test_the_icon_helper_inlines_svg_hidden_from_screen_readers(app):
    from helpdesk.web.icons import icon

    assert icon("../secret") == "" and icon("no-such-icon") == ""
    svg = str(icon("pencil"))  # from the front-end build (`make test` runs it first)
    assert svg.startswith("<svg") and 'aria-hidden="true"' in svg and 'class="icon lucide' in svg
