"""Knowledge-base search: one interface over SQLite FTS5 and PostgreSQL full-text search.

`search(query, ...)` answers what a person types (every word must match, the last one may be
a prefix still being typed; misspelt words are corrected from the indexed vocabulary; when all
words together find nothing, documents with any of them are ranked). `related_to_text(text, ...)`
answers with articles about a longer text such as a ticket. Both return `SearchResult`s whose
snippets are safe HTML with matches in `<mark>`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from markupsafe import Markup, escape
from sqlalchemy import select

from helpdesk.extensions import db
from knowledge_base.engines import Filters, RawHit, Term, for_dialect
from knowledge_base.models import KbCategory, KbSearchDoc, KbSearchTerm, KbTranslation
from knowledge_base.text import (
    MARK_END,
    MARK_START,
    STOPWORDS,
    cjk_bigrams,
    fold,
    is_cjk,
    similarity,
    snippet,
    tokens,
    unspace_cjk,
)

MAX_TERMS = 12
MAX_TEXT_TERMS = 8  # of a ticket's text: more words rank no better and cost more
MIN_PREFIX = 2
TYPO_MIN_LENGTH = 4
TYPO_MIN_SIMILARITY = 0.4


@dataclass(frozen=True)
class Hit:
    """One found article translation: title and slug for links, `snippet` and `title_html` as safe HTML."""

    article_id: int
    translation_id: int
    language: str
    title: str
    slug: str
    summary: str
    visibility: str
    score: float
    title_html: Markup
    snippet: Markup


@dataclass
class SearchResult:
    """Hits, best first; `corrected` is the query as searched after typo correction, when it was."""

    query: str
    hits: list[Hit] = field(default_factory=list)
    corrected: str | None = None
    mode: str = "all"  # all words, "any" word, or "none" when nothing was searchable


def _engine():
    return for_dialect(db.session.get_bind().dialect.name)


def parse(query: str, *, as_you_type: bool = True, min_prefix: int = MIN_PREFIX) -> list[Term]:
    """The terms of a typed query: folded words and CJK runs; the last word, when it has at least
    `min_prefix` characters, a prefix while typing."""
    words = [t if is_cjk(t) else fold(t) for t in tokens(query)][:MAX_TERMS]
    terms = [Term(w) for w in words]
    if as_you_type and terms and not is_cjk(words[-1]) and len(words[-1]) >= min_prefix:
        terms[-1] = Term(words[-1], prefix=True)
    return terms


def category_and_descendants(category_id: int) -> tuple[int, ...]:
    """`category_id` and every category nested under it."""
    children: dict[int | None, list[int]] = {}
    for cid, parent in db.session.execute(select(KbCategory.id, KbCategory.parent_id)):
        children.setdefault(parent, []).append(cid)
    found, todo = [], [category_id]
    while todo:
        current = todo.pop()
        if current not in found:
            found.append(current)
            todo.extend(children.get(current, []))
    return tuple(found)


def correct(terms: list[Term], vocabulary=KbSearchTerm) -> list[Term] | None:
    """`terms` with words unknown to `vocabulary` (the articles' word table, or the tickets')
    replaced by their closest known word, or None when none was."""
    candidates = [t.text for t in terms if not t.chars and len(t.text) >= TYPO_MIN_LENGTH]
    if not candidates:
        return None
    known = set(db.session.scalars(select(vocabulary.term).where(vocabulary.term.in_(candidates))))
    engine, changed, corrected = _engine(), False, []
    for term in terms:
        if term.text in candidates and term.text not in known:
            options = [(similarity(term.text, w), w)
                       for w in engine.similar_terms(db.session, term.text, vocabulary=vocabulary.__tablename__)]
            best = max(options, default=(0.0, ""))
            prefix_hit = term.prefix and any(w.startswith(term.text) for _, w in options)
            if best[0] >= TYPO_MIN_SIMILARITY and not prefix_hit:
                corrected.append(Term(best[1]))
                changed = True
                continue
        corrected.append(term)
    return corrected if changed else None


def _match(terms: list[Term], operator: str, filters: Filters, limit: int) -> list[RawHit]:
    """Titles and tags first (a small index, so a common word stays fast); the bodies too when
    that finds fewer than `limit` documents."""
    engine = _engine()
    raw = engine.match(db.session, terms, operator, filters, limit, field="titles")
    if len(raw) < limit:
        raw = engine.match(db.session, terms, operator, filters, limit, field="all")
    return raw


def _finish(raw: list[RawHit], terms: list[Term]) -> list[Hit]:
    """Join hits to their translations and indexed text; highlight the title and cut a snippet
    (the same way on both engines)."""
    if not raw:
        return []
    ids = [h.translation_id for h in raw]
    rows = {r.id: r for r in db.session.execute(
        select(KbTranslation.id, KbTranslation.title, KbTranslation.slug, KbTranslation.summary, KbSearchDoc.body)
        .join(KbSearchDoc, KbSearchDoc.id == KbTranslation.id).where(KbTranslation.id.in_(ids)))}
    words = [t.text for t in terms if not t.chars]
    phrases = [t.text for t in terms if t.chars]
    hits = []
    for h in raw:
        row = rows.get(h.translation_id)
        if row is not None:
            hits.append(Hit(article_id=h.article_id, translation_id=h.translation_id, language=h.language,
                            title=row.title, slug=row.slug, summary=row.summary, visibility=h.visibility,
                            score=h.score, title_html=highlight_html(snippet(row.title, words, phrases, size=100)),
                            snippet=highlight_html(snippet(row.body, words, phrases))))
    return hits


def highlight_html(marked: str) -> Markup:
    """Engine output with match markers as escaped HTML with `<mark>` elements."""
    safe = str(escape(unspace_cjk(marked or "")))
    return Markup(safe.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def search(query: str, *, language: str | None = None, visibility: tuple[str, ...] = ("public",),
           category_id: int | None = None, limit: int = 10, as_you_type: bool = True) -> SearchResult:
    """Published articles matching `query` in `language` (any when None) with one of `visibility`."""
    result = SearchResult(query=query)
    terms = parse(query, as_you_type=as_you_type)
    if not terms:
        result.mode = "none"
        return result
    filters = Filters(language=language, visibility=tuple(visibility),
                      category_ids=category_and_descendants(category_id) if category_id else None)
    raw = _match(terms, "and", filters, limit)
    if not raw:
        corrected = correct(terms)
        if corrected:
            raw = _match(corrected, "and", filters, limit)
            if raw:
                result.corrected = " ".join(t.text for t in corrected)
            terms = corrected if raw else terms
    if not raw and len(terms) > 1:
        raw = _match(terms, "or", filters, limit)
        result.mode = "any"
    result.hits = _finish(raw, terms)
    return result


def text_terms(text: str, language: str | None) -> list[Term]:
    """The telling words of a longer text: no stop words, no repeats, CJK runs as two-character pieces."""
    stop = STOPWORDS.get(language or "", set()) | (STOPWORDS["en"] if language is None else set())
    glue = STOPWORDS["zh"]
    seen: list[str] = []
    for token in tokens(text):
        if is_cjk(token):
            pieces = [p for p in cjk_bigrams(token) if not any(c in glue for c in p)]
        else:
            pieces = [fold(token)] if len(token) > 2 and not token.isdigit() else []
        seen.extend(p for p in pieces if p not in seen and p not in stop)
    return [Term(p) for p in seen[:MAX_TEXT_TERMS]]


def related_to_text(text: str, *, language: str | None, visibility: tuple[str, ...], limit: int = 5) -> SearchResult:
    """Published articles about `text` (a ticket's subject and message): any telling word, best first."""
    result = SearchResult(query=text[:200], mode="any")
    terms = text_terms(text, language)
    if not terms:
        result.mode = "none"
        return result
    filters = Filters(language=language, visibility=tuple(visibility))
    raw = _match(terms, "or", filters, limit)
    if not raw and language is not None:  # nothing in the customer's language: any language will do
        raw = _match(terms, "or", replace(filters, language=None), limit)
    result.hits = _finish(raw, terms)
    return result
