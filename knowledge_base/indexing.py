"""Keeping the search index current: the searchable rows of an article, and a full rebuild.

Called inside the transaction that changes the article, so the index never disagrees with what
was committed (the engines' own structures follow `kb_search_docs` by trigger or generated column).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from helpdesk.extensions import db
from knowledge_base.markdown import plain_text
from knowledge_base.models import KbArticle, KbSearchDoc, KbSearchTerm, KbTranslation
from knowledge_base.text import cjk_grams, strip_markers, vocabulary

BODY_LIMIT = 20_000  # characters of an article's text that are searchable


def documents(article: KbArticle) -> list[dict]:
    """The `kb_search_docs` rows of a published article (one per translation); none otherwise."""
    if article.status != "published":
        return []
    tags = " ".join(article.tags or [])
    rows = []
    for t in article.translations:
        if t.id is None:
            continue
        body = strip_markers(f"{t.summary} {plain_text(t.body_html)}"[:BODY_LIMIT])
        rows.append({"id": t.id, "article_id": article.id, "language": t.language, "category_id": article.category_id,
                     "visibility": article.visibility, "title": strip_markers(t.title), "tags": tags, "body": body,
                     "title_grams": cjk_grams(t.title), "body_grams": cjk_grams(f"{tags} {body}")})
    return rows


def add_terms(texts: Iterable[str], model=KbSearchTerm) -> None:
    """Add the words of `texts` to the vocabulary that typos are corrected towards (`model`: the
    articles' word table, or another with a unique `term` column, such as the tickets')."""
    words = vocabulary(" ".join(texts))  # one pass: most words repeat from text to text
    if not words:
        return
    dialect = db.session.get_bind().dialect.name
    make_insert = pg_insert if dialect == "postgresql" else sqlite_insert
    rows = [{"term": w[:64]} for w in sorted(words)]
    for start in range(0, len(rows), 5000):
        db.session.execute(make_insert(model).on_conflict_do_nothing(index_elements=["term"]),
                           rows[start:start + 5000])


def reindex_article(article: KbArticle) -> None:
    """Replace the article's searchable rows with its current state (flushes the session first)."""
    db.session.flush()
    db.session.execute(delete(KbSearchDoc).where(KbSearchDoc.article_id == article.id))
    rows = documents(article)
    if rows:
        db.session.execute(insert(KbSearchDoc), rows)
        add_terms(f"{r['title']} {r['tags']} {r['body']}" for r in rows)


def rebuild(batch: int = 500) -> int:
    """Rebuild the whole index from the published articles; returns the number of documents. Commits."""
    db.session.execute(delete(KbSearchDoc))
    db.session.execute(delete(KbSearchTerm))
    count, last_id = 0, 0
    while True:
        articles = list(db.session.scalars(
            select(KbArticle).where(KbArticle.status == "published", KbArticle.id > last_id)
            .options(selectinload(KbArticle.translations)).order_by(KbArticle.id).limit(batch)))
        if not articles:
            break
        rows = [row for a in articles for row in documents(a)]
        if rows:
            db.session.execute(insert(KbSearchDoc), rows)
            add_terms(f"{r['title']} {r['tags']} {r['body']}" for r in rows)
        count += len(rows)
        last_id = articles[-1].id
        db.session.expunge_all()
    db.session.commit()
    return count


def translation_count() -> int:
    """How many translations exist (for progress messages)."""
    return db.session.query(KbTranslation).count()
