"""Words a template shows without `_()`: its text with Jinja code, comments, tags and script blocks
taken out, and the attributes people read (placeholder, title, aria-label, alt) outside `{{ }}`."""

from __future__ import annotations

import re
from pathlib import Path

PAGE_BLOCK = re.compile(r"\{% block page %\}.*?\{% endblock %\}")
ENTITY = re.compile(r"&[#\w]+;")
# A placeholder that is a code or a list of codes ("Europe/Madrid", "en, es, zh-CN") reads the same.
CODES = re.compile(r"^(?=.*[/,.\d-])[\w/+.:-]+(, ?[\w/+.:-]+)*$")
JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)
SCRIPT = re.compile(r"<(script|style|code|kbd|pre)\b.*?</\1>", re.S | re.I)
READ_ATTRIBUTES = re.compile(r'\b(placeholder|title|aria-label|alt)="([^"]*)"')
TAG = re.compile(r"<[^>]*>", re.S)
# What reads the same in every language: product names, codes, symbols.
ALLOWED = {"helpdesk", "VIP", "SLA", "CSAT", "NPS", "API", "Cc", "Bcc", "ID", "URL", "IMAP", "SMTP", "TOTP", "CSV",
           "Telegram", "WhatsApp", "Messenger", "OK", "UTC", "UID", "Graph", "Meta", "vip", "es", "KB", "reason"}
WORD = re.compile(r"[^\W\d_]{2,}")


def _words(text: str) -> list[str]:
    return [w for w in WORD.findall(text) if w not in ALLOWED]


def untranslated(template: str) -> list[str]:
    """The pieces of `template` (its source) that people read and that are not translated."""
    source = ENTITY.sub(" ", SCRIPT.sub(" ", PAGE_BLOCK.sub(" ", template)))
    found = []
    for name, value in READ_ATTRIBUTES.findall(source):
        rest = JINJA.sub(" ", value)
        if name == "placeholder" and (CODES.match(rest.strip()) or all(CODES.match(word) for word in rest.split())):
            continue
        if _words(rest):
            found.append(rest.strip())
    text = JINJA.sub(" ", source)
    text = TAG.sub("\n", text)
    for line in text.splitlines():
        line = line.strip()
        if _words(line):
            found.append(line)
    return found


def report(root: Path) -> dict[str, list[str]]:
    """{template path: its untranslated pieces} for every template under `root` that has some."""
    out = {}
    for path in sorted(root.rglob("*.html")):
        pieces = untranslated(path.read_text())
        if pieces:
            out[str(path.relative_to(root))] = pieces
    return out


if __name__ == "__main__":
    import sys

    for name, pieces in report(Path(sys.argv[1])).items():
        print(f"{name}: {len(pieces)}")
        for piece in pieces[: int(sys.argv[2]) if len(sys.argv) > 2 else 3]:
            print("   ", piece[:110])
