"""What the search engines index: one row per published translation, and the word list for typos.

The engine-specific objects (SQLite FTS5 tables and triggers, the PostgreSQL tsvector column and
GIN indexes) are made by the migration and named `kb_fts*`; the ORM does not describe them.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import db


class KbSearchDoc(db.Model):
    """The searchable form of one published translation (`id` is the translation's id).

    `title`, `tags` and `body` are plain text. Chinese and Japanese have no spaces between words,
    so their runs of characters are also indexed as overlapping two-character pieces
    (`title_grams`, `body_grams`: 重置密码 -> 重置 置密 密码), which a phrase query finds quickly.
    """

    __tablename__ = "kb_search_docs"
    __table_args__ = (Index("ix_kb_search_docs_language_visibility", "language", "visibility"),)

    id: Mapped[int] = mapped_column(ForeignKey("kb_translations.id", ondelete="CASCADE"), primary_key=True,
                                    autoincrement=False)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(12))
    category_id: Mapped[int | None] = mapped_column(index=True)
    visibility: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    title_grams: Mapped[str] = mapped_column(Text, default="")
    body_grams: Mapped[str] = mapped_column(Text, default="")


class KbSearchTerm(db.Model):
    """A word seen in indexed articles (lower case, no accents): what a misspelt word is matched to."""

    __tablename__ = "kb_search_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(64), unique=True)
