"""Writing articles: create, translate, edit (every save keeps a revision), publish, archive, restore.

Each function validates, changes the rows, updates the search index in the same transaction and
commits; errors are `ArticleError` naming the offending field.
"""

from __future__ import annotations

import difflib
import re

from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import User
from helpdesk.models.base import utcnow
from knowledge_base.indexing import reindex_article
from knowledge_base.languages import CONTENT_LANGUAGES
from knowledge_base.markdown import render
from knowledge_base.models import STATUSES, VISIBILITIES, KbArticle, KbCategory, KbRevision, KbTranslation
from knowledge_base.text import fold

LIMITS = {"title": 255, "slug": 200, "summary": 500, "body_md": 200_000}
MAX_TAGS = 20
_SLUG_JUNK = re.compile(r"[^\w]+")


class ArticleError(ValueError):
    """An article change that cannot be made; `field` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def slugify(title: str) -> str:
    """A URL slug: lower case, no accents, words joined by '-' (CJK characters are kept)."""
    return _SLUG_JUNK.sub("-", fold(title)).strip("-_")[:LIMITS["slug"]] or "article"


def _unique_slug(language: str, wanted: str, translation_id: int | None) -> str:
    slug, n = wanted, 1
    while db.session.scalar(select(KbTranslation.id).where(
            KbTranslation.language == language, KbTranslation.slug == slug,
            KbTranslation.id != (translation_id or 0))) is not None:
        n += 1
        slug = f"{wanted[:LIMITS['slug'] - 6]}-{n}"
    return slug


def _check_language(language: str) -> str:
    if language not in CONTENT_LANGUAGES:
        raise ArticleError("language", f"must be one of {', '.join(CONTENT_LANGUAGES)}")
    return language


def _clean_tags(tags) -> list[str]:
    cleaned = []
    for tag in tags or []:
        tag = str(tag).strip().lower()[:40]
        if tag and tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise ArticleError("tags", f"at most {MAX_TAGS}")
    return cleaned


def create_article(author: User, *, language: str, title: str, body_md: str = "", summary: str = "",
                   slug: str | None = None, category_id: int | None = None, visibility: str = "public",
                   tags=(), related_ids=()) -> KbArticle:
    """A new draft article with its first translation (and revision 1). Commits."""
    article = KbArticle(status="draft", default_language=_check_language(language), author_id=author.id, tags=[])
    db.session.add(article)
    _apply_settings(article, category_id=category_id, visibility=visibility, tags=tags, related_ids=related_ids)
    _save(article, author, language=language, title=title, body_md=body_md, summary=summary, slug=slug, note="created")
    db.session.commit()
    return article


def save_translation(article: KbArticle, author: User, *, language: str, title: str, body_md: str,
                     summary: str = "", slug: str | None = None, note: str = "") -> KbTranslation:
    """Create or change the article's text in `language`; a revision is kept when anything changed. Commits."""
    translation = _save(article, author, language=language, title=title, body_md=body_md, summary=summary,
                        slug=slug, note=note)
    reindex_article(article)
    db.session.commit()
    return translation


def _save(article, author, *, language, title, body_md, summary, slug, note) -> KbTranslation:
    language = _check_language(language)
    values = {"title": (title or "").strip(), "summary": (summary or "").strip(), "body_md": body_md or ""}
    if not values["title"]:
        raise ArticleError("title", "must not be empty")
    for name, value in values.items():
        if len(value) > LIMITS[name]:
            raise ArticleError(name, f"at most {LIMITS[name]} characters")
    translation = article.translation(language)
    wanted = slugify(slug or values["title"])
    values["slug"] = _unique_slug(language, wanted, translation.id if translation else None)
    if translation is None:
        translation = KbTranslation(language=language, **values)
        article.translations.append(translation)
    elif all(getattr(translation, k) == v for k, v in values.items()):
        return translation  # nothing changed: no new revision
    else:
        for name, value in values.items():
            setattr(translation, name, value)
    now = utcnow()
    translation.body_html = render(values["body_md"])
    translation.updated_at = article.updated_at = now
    translation.updated_by_id = author.id
    db.session.flush()
    number = (db.session.scalar(select(func.max(KbRevision.number)).where(
        KbRevision.article_id == article.id, KbRevision.language == language)) or 0) + 1
    db.session.add(KbRevision(article_id=article.id, language=language, number=number, author_id=author.id,
                              created_at=now, note=note[:255], **values))
    return translation


def _apply_settings(article, *, category_id, visibility, tags, related_ids) -> None:
    if visibility not in VISIBILITIES:
        raise ArticleError("visibility", f"must be one of {', '.join(VISIBILITIES)}")
    if category_id is not None and db.session.get(KbCategory, category_id) is None:
        raise ArticleError("category_id", f"no category {category_id}")
    article.visibility, article.category_id, article.tags = visibility, category_id, _clean_tags(tags)
    related_ids = [int(i) for i in related_ids or [] if int(i) != article.id]
    article.related = list(db.session.scalars(select(KbArticle).where(KbArticle.id.in_(related_ids)))) \
        if related_ids else []


def update_settings(article: KbArticle, *, category_id: int | None, visibility: str, tags=(), related_ids=(),
                    default_language: str | None = None) -> KbArticle:
    """Change the article's category, visibility, tags, related articles, default language. Commits."""
    _apply_settings(article, category_id=category_id, visibility=visibility, tags=tags, related_ids=related_ids)
    if default_language:
        if article.translation(_check_language(default_language)) is None:
            raise ArticleError("default_language", "has no translation yet")
        article.default_language = default_language
    article.updated_at = utcnow()
    reindex_article(article)
    db.session.commit()
    return article


def set_status(article: KbArticle, status: str) -> KbArticle:
    """Publish, archive or return the article to draft; the index follows. Commits."""
    if status not in STATUSES:
        raise ArticleError("status", f"must be one of {', '.join(STATUSES)}")
    if status == "published" and not article.translations:
        raise ArticleError("status", "an article needs a translation before it is published")
    article.status = status
    article.updated_at = utcnow()
    if status == "published":
        article.published_at = article.published_at or article.updated_at
    reindex_article(article)
    db.session.commit()
    return article


def revisions(article: KbArticle, language: str | None = None) -> list[KbRevision]:
    """The article's revisions, newest first (of one language when given)."""
    query = select(KbRevision).where(KbRevision.article_id == article.id)
    if language:
        query = query.where(KbRevision.language == language)
    return list(db.session.scalars(query.order_by(KbRevision.created_at.desc(), KbRevision.id.desc())))


def previous_revision(revision: KbRevision) -> KbRevision | None:
    return db.session.scalar(select(KbRevision).where(
        KbRevision.article_id == revision.article_id, KbRevision.language == revision.language,
        KbRevision.number < revision.number).order_by(KbRevision.number.desc()).limit(1))


def diff(revision: KbRevision, against: KbRevision | None = None) -> list[tuple[str, str]]:
    """Lines of a unified diff from `against` (default: the previous revision) to `revision`,
    each as (kind, text) with kind one of "add", "del", "hunk", "same"."""
    against = against or previous_revision(revision)

    def lines(r):
        return [] if r is None else [f"# {r.title}", f"slug: {r.slug}", f"summary: {r.summary}", "",
                                     *r.body_md.splitlines()]

    out = []
    for line in list(difflib.unified_diff(lines(against), lines(revision), lineterm="", n=3))[2:]:
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "same")
        out.append((kind, line))
    return out


def restore(revision: KbRevision, author: User) -> KbTranslation:
    """Make `revision`'s text current again (as a new revision). Commits."""
    article = db.session.get(KbArticle, revision.article_id)
    return save_translation(article, author, language=revision.language, title=revision.title,
                            body_md=revision.body_md, summary=revision.summary, slug=revision.slug,
                            note=f"restored revision {revision.number}")
