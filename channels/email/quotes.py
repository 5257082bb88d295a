"""Where quoted history and the signature start in a plain-text mail body.

Both are offsets into the text (not cuts): the console folds what follows, the text stays whole.
"""

from __future__ import annotations

import re

# "On <date>, <name> wrote:" and its siblings in the languages our customers write in; Gmail
# wraps long attributions over two or three lines.
_ATTRIBUTION = re.compile(
    r"^\s*(?:On\s.{1,300}\swrote"
    r"|El\s.{1,300}\sescribi[óo]"
    r"|Le\s.{1,300}\sa\s[ée]crit"
    r"|Am\s.{1,300}\sschrieb(?:\s[^:]{1,300})?"
    r"|Op\s.{1,300}\sschreef(?:\s[^:]{1,300})?"
    r"|Il\s.{1,300}\sha\sscritto"
    r"|Em\s.{1,300}\sescreveu"
    r"|W\sdniu\s.{1,300}\spisze)\s?:\s*$",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(
    r"^\s*(?:-{2,}\s*(?:Original Message|Mensaje original|Urspr[üu]ngliche Nachricht|Message d'origine"
    r"|Messaggio originale|Mensagem original|Oorspronkelijk bericht|Originalmeddelande)\s*-{2,}"
    r"|-{2,}\s*(?:This is a copy of the message|Below this line is a copy of the message).*)\s*$",  # bounces
    re.IGNORECASE,
)
# Outlook's header block: "From: ...", then within a few lines "Sent: ..." (or a translation).
_HEADER_FROM = re.compile(r"^\s*\*?(?:From|De|Von|Van|Da|Från|Od)\s?:\*?\s*\S", re.IGNORECASE)
_HEADER_SENT = re.compile(
    r"^\s*\*?(?:Sent|Date|Enviado(?: el)?|Fecha|Gesendet|Datum|Envoy[ée]|Inviato|Verzonden|Data|Skickat|Wys[łl]ane)"
    r"\s?:", re.IGNORECASE,
)
_RULE = re.compile(r"^\s*_{10,}\s*$")
_FORWARD = re.compile(
    r"^\s*(?:-{3,}\s*(?:Forwarded message|Mensaje reenviado|Weitergeleitete Nachricht|Message transf[ée]r[ée]"
    r"|Messaggio inoltrato|Mensagem encaminhada)\s*-{3,}|Begin forwarded message:)\s*$",
    re.IGNORECASE,
)
_MOBILE_SIGNATURE = re.compile(
    r"^\s*(?:Sent from my \w+|Sent from Mail for Windows|Get Outlook for (?:iOS|Android)|Enviado desde mi \w+"
    r"|Von meinem \w+ gesendet|Envoy[ée] de mon \w+|Inviato da \w+)",
    re.IGNORECASE,
)
_MAX_LINES = 20_000  # past this, a body is a log dump, not a conversation


def _lines(text: str) -> tuple[list[str], list[int]]:
    lines = text.splitlines(keepends=True)[:_MAX_LINES]
    offsets, position = [], 0
    for line in lines:
        offsets.append(position)
        position += len(line)
    return [line.rstrip("\r\n") for line in lines], offsets


def _quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _interleaved(lines: list[str], start: int) -> bool:
    """True when the writer answered between quoted lines: folding would hide their words."""
    first = next((i for i in range(start, len(lines)) if _quoted(lines[i])), None)
    if first is None:
        return False
    for line in lines[first + 1:]:
        if line.rstrip() == "--" or _MOBILE_SIGNATURE.match(line):
            return False
        if line.strip() and not _quoted(line):
            return True
    return False


def _attribution(lines: list[str], i: int) -> int:
    """How many lines (1-3) form an attribution starting at line `i`; 0 when none does."""
    if not lines[i].strip():
        return 0
    for span in (1, 2, 3):
        if i + span > len(lines) or _quoted(lines[i + span - 1]):
            return 0
        joined = " ".join(line.strip() for line in lines[i:i + span])
        if len(joined) <= 600 and _ATTRIBUTION.match(joined):
            return span
    return 0


def _previous(lines: list[str], i: int) -> int | None:
    return next((j for j in range(i - 1, -1, -1) if lines[j].strip()), None)


def _header_block(lines: list[str], i: int) -> bool:
    return bool(_HEADER_FROM.match(lines[i])) and any(_HEADER_SENT.match(line) for line in lines[i + 1:i + 4])


def quote_start(text: str) -> int | None:
    """Offset in `text` where quoted history begins, or None (none found, or replies interleaved)."""
    lines, offsets = _lines(text)
    for i, line in enumerate(lines):
        if _FORWARD.match(line):
            return None  # what follows is the forwarded mail: the content, not history to fold
        if _SEPARATOR.match(line):
            return offsets[i]
        if _header_block(lines, i):
            above = _previous(lines, i)
            return offsets[above if above is not None and _RULE.match(lines[above]) else i]
        if span := _attribution(lines, i):
            return None if _interleaved(lines, i + span) else offsets[i]
        if _quoted(line):
            if _interleaved(lines, i):
                return None
            above = _previous(lines, i)
            intro = above is not None and lines[above].rstrip().endswith(":") and len(lines[above]) < 300
            return offsets[above if intro and above is not None else i]
    return None


def signature_start(text: str, end: int | None = None) -> int | None:
    """Offset of the signature in `text[:end]`: the last "-- " delimiter, else a "Sent from my ..." line."""
    lines, offsets = _lines(text[:end])
    delimiters = [i for i, line in enumerate(lines) if line.rstrip() == "--"]
    if delimiters:
        return offsets[delimiters[-1]]
    tail = [i for i, line in enumerate(lines) if line.strip()][-3:]
    return next((offsets[i] for i in tail if _MOBILE_SIGNATURE.match(lines[i])), None)
