"""PostgreSQL full-text search: generated, weighted `tsvector`s per document (titles and tags
alone; everything) in kb_english, kb_spanish or kb_simple by its language plus the CJK pieces,
with GIN indexes, ranked by ts_rank; pg_trgm over the word list for typos, with a plain fallback
when it is not installed."""

from __future__ import annotations

from sqlalchemy import text

from knowledge_base.engines import Filters, RawHit, Term, expanding, filter_clauses
from knowledge_base.text import cjk_bigrams

CONFIGS = {"en": "kb_english", "es": "kb_spanish"}
FALLBACK_CONFIG = "kb_simple"
CANDIDATES = 1000
_trgm_schema: dict[str, str | None] = {}


def tsquery_term(term: Term) -> str:
    chars = term.chars
    if chars and len(chars) == 1:
        return f"'{term.text}':*"  # a piece that starts with the character
    if chars:
        return "(" + " <-> ".join(f"'{piece}'" for piece in cjk_bigrams(term.text)) + ")"
    return f"'{term.text}'" + (":*" if term.prefix else "")


def tsquery_text(terms: list[Term], operator: str) -> str:
    """The to_tsquery input: quoted lexemes (prefixes as :*, CJK as <-> phrases of pieces) joined by & or |."""
    joiner = " & " if operator == "and" else " | "
    return joiner.join(tsquery_term(t) for t in terms)


def _query_expression(filters: Filters) -> str:
    if filters.language:
        return f"to_tsquery('{CONFIGS.get(filters.language, FALLBACK_CONFIG)}', :q)"
    return " || ".join(f"to_tsquery('{c}', :q)" for c in (*CONFIGS.values(), FALLBACK_CONFIG))


def match(session, terms: list[Term], operator: str, filters: Filters, limit: int, field: str = "all") -> list[RawHit]:
    """The best `limit` documents matching all (`and`) or any (`or`) of `terms` in `field`
    ("titles": titles and tags only, "all": with the body)."""
    vector = "d.kb_fts_title" if field == "titles" else "d.kb_fts_document"
    params: dict = {"q": tsquery_text(terms, operator), "limit": limit}
    where = [f"{vector} @@ q.query", *filter_clauses(filters, params)]
    # Ranking reads every candidate's vector: cap the candidates so a very common word stays fast
    # (titles are searched first, so the best answers are rarely beyond the cap).
    statement = text(
        f"WITH q AS (SELECT {_query_expression(filters)} AS query), "
        f"found AS (SELECT d.id, d.article_id, d.language, d.visibility, {vector} AS vector "
        f"FROM kb_search_docs d, q WHERE {' AND '.join(where)} LIMIT {CANDIDATES}) "
        "SELECT found.id, found.article_id, found.language, found.visibility, "
        "ts_rank(found.vector, q.query, 1) AS score FROM found, q ORDER BY score DESC, found.id LIMIT :limit")
    rows = session.execute(expanding(statement, params), params)
    return [RawHit(translation_id=r.id, article_id=r.article_id, language=r.language, visibility=r.visibility,
                   score=float(r.score)) for r in rows]


def _trigram_schema(session) -> str | None:
    """The schema pg_trgm is installed in, or None (looked up once per database)."""
    key = str(session.get_bind().url)
    if key not in _trgm_schema:
        _trgm_schema[key] = session.scalar(text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'"))
    return _trgm_schema[key]


def similar_terms(session, word: str, limit: int = 40, vocabulary: str = "kb_search_terms") -> list[str]:
    """Words of `vocabulary` (kb_search_terms, ticket_search_terms) similar to `word`: pg_trgm's `%` on its GIN index, or (without pg_trgm) words
    that share the first two letters and are about as long."""
    schema = _trigram_schema(session)
    if schema:
        rows = session.execute(text(
            f'SELECT term FROM {vocabulary} WHERE term OPERATOR("{schema}".%) :w '
            f'ORDER BY "{schema}".similarity(term, :w) DESC LIMIT :limit'), {"w": word, "limit": limit})
    else:
        rows = session.execute(text(
            f"SELECT term FROM {vocabulary} WHERE term LIKE :start AND length(term) BETWEEN :low AND :high "
            "LIMIT 500"), {"start": word[:2] + "%", "low": len(word) - 2, "high": len(word) + 2})
    return [r.term for r in rows]
