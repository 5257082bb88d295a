"""Report tables as CSV text that spreadsheets open safely.

A cell that starts with `=`, `+`, `-`, `@` (or a tab or carriage return) would be read as a formula
by a spreadsheet: such text cells get a leading apostrophe. Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> object:
    """`value` ready for a CSV cell: text that a spreadsheet would run as a formula is quoted with '."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value


def to_csv(columns: Sequence[str], rows: Iterable[dict]) -> str:
    """CSV text: a header of `columns`, then each row's values for them."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(row.get(c)) for c in columns])
    return out.getvalue()
