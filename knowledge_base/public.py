"""Reading published public articles for customers: by language with fallback, by category, popular ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from helpdesk.extensions import db
from helpdesk.models.base import utcnow
from knowledge_base.models import KbArticle, KbCategory, KbTranslation, KbView


@dataclass(frozen=True)
class Shown:
    """An article as a visitor sees it: the translation shown, and whether it is a fallback."""

    article: KbArticle
    translation: KbTranslation
    fallback: bool


def localised(article: KbArticle, language: str) -> Shown | None:
    """The article in `language`, else in its default language (marked as a fallback)."""
    translation = article.translation(language)
    if translation is not None:
        return Shown(article, translation, False)
    fallback = article.translation(article.default_language) or (article.translations or [None])[0]
    return Shown(article, fallback, True) if fallback else None


def public_article(article_id: int) -> KbArticle | None:
    """A published public article, or None (drafts, archived and internal articles do not exist here)."""
    article = db.session.get(KbArticle, article_id) if 0 < article_id < 2**31 else None
    return article if article is not None and article.is_public else None


def _public():
    return select(KbArticle).where(KbArticle.status == "published", KbArticle.visibility == "public").options(
        selectinload(KbArticle.translations))


def in_category(category_id: int, language: str) -> list[Shown]:
    """The category's public articles in `language` (fallbacks included), by title."""
    shown = [localised(a, language) for a in db.session.scalars(_public().where(KbArticle.category_id == category_id))]
    return sorted((s for s in shown if s), key=lambda s: s.translation.title.lower())


def popular(language: str, limit: int = 8, days: int = 30) -> list[Shown]:
    """The public articles viewed most in the last `days` days, else the newest."""
    since = utcnow() - timedelta(days=days)
    counts = select(KbView.article_id, func.count().label("n")).where(KbView.created_at >= since).group_by(
        KbView.article_id).subquery()
    rows = db.session.scalars(_public().outerjoin(counts, counts.c.article_id == KbArticle.id).order_by(
        func.coalesce(counts.c.n, 0).desc(), KbArticle.published_at.desc()).limit(limit))
    return [s for s in (localised(a, language) for a in rows) if s]


def categories() -> list[KbCategory]:
    """Every category, in display order."""
    return list(db.session.scalars(select(KbCategory).order_by(KbCategory.position, KbCategory.slug)))


def category_tree(language: str) -> list[tuple[KbCategory, int]]:
    """(category, depth) pairs, parents before their children."""
    by_parent: dict[int | None, list[KbCategory]] = {}
    for category in categories():
        by_parent.setdefault(category.parent_id, []).append(category)
    out: list[tuple[KbCategory, int]] = []

    def walk(parent, depth):
        for c in sorted(by_parent.get(parent, []), key=lambda c: (c.position, c.name_in(language).lower())):
            out.append((c, depth))
            if depth < 8:
                walk(c.id, depth + 1)

    walk(None, 0)
    return out
