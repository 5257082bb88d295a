"""Replacing personal values wherever rows quote them: the pieces erasure and retention share.

Two strengths: `redact_all` for rows about the erased person (their tickets' timeline, audit
entries about them): every string that is not a short code (a status, a priority, a date) goes;
`redact_values` for any other row: only the person's own values (name, addresses, subjects...)
are replaced, the rest of the row is someone else's and stays.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from sqlalchemy import Text, cast, or_, select

from helpdesk.extensions import db
from helpdesk.models import Attachment, FailedMail, Message
from helpdesk.services import attachments as files

REDACTED = "[erased]"
MIN_VALUE = 4  # shorter values ("Ana", "42") would also match unrelated text
_CODE = re.compile(r"^([a-z_]{0,24}|[0-9T:. +-]{1,40})$")  # statuses, priorities, kinds; numbers, ISO times


def _pattern(values: list[str]) -> re.Pattern | None:
    values = sorted({v for v in values if v and len(v) >= MIN_VALUE}, key=len, reverse=True)
    return re.compile("|".join(re.escape(v) for v in values), re.IGNORECASE) if values else None


class Values:
    """A person's values to look for, in plain text and as JSON writes them (\\u escapes)."""

    def __init__(self, values: list[str], words: list[str] = ()) -> None:
        """`values`: whole values to replace anywhere; `words`: parts of them (a first name) that
        only mark a row to drop whole (a cached API answer), never replaced in others' rows."""
        plain = [v.strip() for v in values if v and v.strip()]
        self.words = sorted({w.lower() for w in words if len(w) >= MIN_VALUE})
        self.plain = sorted({v for v in plain if len(v) >= MIN_VALUE})
        escaped = {json.dumps(v)[1:-1] for v in self.plain}
        self.forms = sorted(set(self.plain) | escaped)
        self._pattern = _pattern(self.plain)

    def found_in(self, text: str | None) -> bool:
        """Whether `text` holds any of the values (as typed or JSON-escaped)."""
        if not text or not self.forms:
            return False
        lowered = text.lower()
        return any(f.lower() in lowered for f in self.forms)

    def mentioned_in(self, text: str | None) -> bool:
        """Whether `text` holds a value or any word of one (for rows that are dropped whole)."""
        return self.found_in(text) or bool(text and any(w in text.lower() for w in self.words))

    def replace(self, text: str) -> str:
        """`text` with each value replaced by REDACTED."""
        return self._pattern.sub(REDACTED, text) if self._pattern else text

    def like_any(self, column):
        """A SQL condition: the column (as text) holds any of the values, in either form."""
        if not self.forms:
            return False
        text = cast(column, Text)
        return or_(*(text.ilike(f"%{f.replace('%', '').replace('_', '')}%") for f in self.forms))


def redact_values(value, values: Values):
    """A JSON value with the person's values replaced inside every string."""
    if isinstance(value, str):
        return values.replace(value)
    if isinstance(value, list):
        return [redact_values(v, values) for v in value]
    if isinstance(value, dict):
        return {k: redact_values(v, values) for k, v in value.items()}
    return value


def redact_all(value, values: Values):
    """A JSON value with every free-text string replaced (codes and numbers stay unless they are
    one of the person's values, such as a chat id)."""
    if isinstance(value, str):
        return value if _CODE.match(value) and not values.found_in(value) else REDACTED
    if isinstance(value, list):
        return [redact_all(v, values) for v in value]
    if isinstance(value, dict):
        return {k: redact_all(v, values) for k, v in value.items()}
    return value


def referenced_keys() -> set[str]:
    """Every storage key a row names: attachments, raw mails, failed mails, knowledge base files."""
    from knowledge_base.models import KbAttachment

    keys: set[str] = set()
    for query in (select(Attachment.storage_key), select(Message.raw_key).where(Message.raw_key.is_not(None)),
                  select(FailedMail.storage_key), select(KbAttachment.storage_key)):
        keys.update(k for k in db.session.scalars(query) if k)
    return keys


def delete_files(keys: set[str]) -> int:
    """Delete the files of `keys` that no row names any more (call after the rows' commit);
    returns how many files were removed."""
    if not keys:
        return 0
    still = referenced_keys() & keys
    removed = 0
    for key in keys - still:
        path: Path = files.path_for(key)
        if path.exists():
            path.unlink()
            removed += 1
    return removed
