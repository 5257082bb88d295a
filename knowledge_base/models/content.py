"""Knowledge-base content: categories, articles, their translations, revisions and files."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.extensions import db
from helpdesk.models.base import utcnow

STATUSES = ("draft", "published", "archived")
VISIBILITIES = ("public", "internal")

article_links = Table(
    "kb_article_links",
    db.metadata,
    Column("article_id", ForeignKey("kb_articles.id", ondelete="CASCADE"), primary_key=True),
    Column("related_id", ForeignKey("kb_articles.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class KbEditor(db.Model):
    """A staff member who may write and publish articles (admins may without a row here)."""

    __tablename__ = "kb_editors"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)


class KbCategory(db.Model):
    """A category; `names` and `descriptions` map a language code to the text in that language."""

    __tablename__ = "kb_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("kb_categories.id", ondelete="SET NULL"), index=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    names: Mapped[dict] = mapped_column(JSON, default=dict)
    descriptions: Mapped[dict] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def name_in(self, language: str, default_language: str = "en") -> str:
        """The name in `language`, else in the default language, else the slug."""
        return self.names.get(language) or self.names.get(default_language) or self.slug


class KbArticle(db.Model):
    __tablename__ = "kb_articles"
    __table_args__ = (Index("ix_kb_articles_status_visibility", "status", "visibility"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("kb_categories.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    visibility: Mapped[str] = mapped_column(String(16), default="public")
    tags: Mapped[list] = mapped_column(JSON, default=list)
    default_language: Mapped[str] = mapped_column(String(12), default="en")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]

    category: Mapped[KbCategory | None] = relationship()
    translations: Mapped[list[KbTranslation]] = relationship(
        back_populates="article", order_by="KbTranslation.language", cascade="all, delete-orphan")
    related: Mapped[list[KbArticle]] = relationship(
        secondary=article_links, primaryjoin="KbArticle.id == kb_article_links.c.article_id",
        secondaryjoin="KbArticle.id == kb_article_links.c.related_id")

    @property
    def is_public(self) -> bool:
        return self.status == "published" and self.visibility == "public"

    def translation(self, language: str) -> KbTranslation | None:
        """The translation in exactly `language`, if there is one."""
        return next((t for t in self.translations if t.language == language), None)


class KbTranslation(db.Model):
    """An article in one language; `body_html` is the Markdown rendered and sanitised on save."""

    __tablename__ = "kb_translations"
    __table_args__ = (
        UniqueConstraint("article_id", "language", name="uq_kb_translations_article_language"),
        UniqueConstraint("language", "slug", name="uq_kb_translations_language_slug"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(255))
    slug: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    body_md: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    article: Mapped[KbArticle] = relationship(back_populates="translations")


class KbRevision(db.Model):
    """A snapshot of one translation, kept at every save."""

    __tablename__ = "kb_revisions"
    __table_args__ = (Index("uq_kb_revisions_number", "article_id", "language", "number", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(12))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(255))
    slug: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    body_md: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(String(255), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class KbAttachment(db.Model):
    """An image or file of an article; bytes on disk like ticket attachments."""

    __tablename__ = "kb_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"), index=True)
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
