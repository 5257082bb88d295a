"""The two full-text engines behind `knowledge_base.search`: SQLite FTS5 and PostgreSQL tsvector.

Both take the same parsed query and filters and return the same hits; `for_dialect` picks one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """One query term: a word (maybe a prefix still being typed) or a CJK phrase of single characters."""

    text: str
    prefix: bool = False

    @property
    def chars(self) -> list[str] | None:
        from knowledge_base.text import is_cjk

        return list(self.text) if is_cjk(self.text) else None


@dataclass(frozen=True)
class Filters:
    """Which documents a search may return."""

    language: str | None = None
    visibility: tuple[str, ...] = ("public",)
    category_ids: tuple[int, ...] | None = None


@dataclass(frozen=True)
class RawHit:
    """What an engine found: a document's ids and its score (higher is better)."""

    translation_id: int
    article_id: int
    language: str
    visibility: str
    score: float


def for_dialect(name: str):
    """The engine module for a SQLAlchemy dialect name."""
    if name == "postgresql":
        from knowledge_base.engines import postgres

        return postgres
    from knowledge_base.engines import sqlite

    return sqlite


def filter_clauses(filters: Filters, params: dict) -> list[str]:
    """SQL conditions on `kb_search_docs d` for `filters` (both engines), adding their values to `params`."""
    where = ["d.visibility IN :visibility"]
    params["visibility"] = list(filters.visibility)
    if filters.language:
        where.append("d.language = :language")
        params["language"] = filters.language
    if filters.category_ids is not None:
        where.append("d.category_id IN :categories")
        params["categories"] = list(filters.category_ids) or [-1]
    return where


def expanding(statement, params: dict):
    """`statement` with its list parameters (visibility, categories) expanded into IN lists."""
    from sqlalchemy import bindparam

    return statement.bindparams(*(bindparam(name, expanding=True) for name in ("visibility", "categories")
                                  if name in params))
