"""SQLite FTS5: `kb_fts_titles` (titles and tags) and `kb_fts` (everything) over `kb_search_docs`,
Porter-stemmed unicode61 without diacritics, ranked by bm25 with title > tags > body; CJK terms
as phrases of two-character pieces in the `*_grams` columns; `kb_fts_terms` (trigram) over the
word list for typos."""

from __future__ import annotations

from sqlalchemy import text

from knowledge_base.engines import Filters, RawHit, Term, expanding, filter_clauses
from knowledge_base.text import cjk_bigrams

# table, the columns holding CJK pieces, bm25 weights (one per column, in table order)
_TABLES = {"titles": ("kb_fts_titles", "title_grams", "8.0, 3.0, 8.0"),
           "all": ("kb_fts", "{title_grams body_grams}", "8.0, 3.0, 1.0, 8.0, 1.0")}


def quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def fts_term(term: Term, grams: str) -> str:
    chars = term.chars
    if chars and len(chars) == 1:
        return f"{grams} : {quote(term.text)}*"  # a piece that starts with the character
    if chars:
        return f"{grams} : {quote(' '.join(cjk_bigrams(term.text)))}"
    return quote(term.text) + ("*" if term.prefix else "")


def match_expression(terms: list[Term], operator: str, field: str = "all") -> str:
    """The FTS5 MATCH string: quoted terms (CJK as phrases of pieces) joined by AND or OR."""
    grams = _TABLES[field][1]
    return f" {operator.upper()} ".join(fts_term(t, grams) for t in terms)


def match(session, terms: list[Term], operator: str, filters: Filters, limit: int, field: str = "all") -> list[RawHit]:
    """The best `limit` documents matching all (`and`) or any (`or`) of `terms` in `field`
    ("titles": titles and tags only, "all": with the body)."""
    table, _grams, weights = _TABLES[field]
    params: dict = {"q": match_expression(terms, operator, field), "limit": limit}
    where = [f"{table} MATCH :q", *filter_clauses(filters, params)]
    # FTS5 ranks every match (bm25) and sorts; the join and filters then stop at the LIMIT.
    statement = text(
        f"SELECT d.id, d.article_id, d.language, d.visibility, -rank AS score "
        f"FROM {table} JOIN kb_search_docs d ON d.id = {table}.rowid WHERE {' AND '.join(where)} "
        f"AND rank MATCH 'bm25({weights})' ORDER BY rank LIMIT :limit")
    rows = session.execute(expanding(statement, params), params)
    return [RawHit(translation_id=r.id, article_id=r.article_id, language=r.language, visibility=r.visibility,
                   score=float(r.score)) for r in rows]


def similar_terms(session, word: str, limit: int = 40, vocabulary: str = "kb_search_terms") -> list[str]:
    """Words of `vocabulary` (a word table with a `<table>`-named trigram FTS5 index: kb_search_terms
    with kb_fts_terms, ticket_search_terms with ticket_fts_terms) sharing the most trigrams with
    `word` (candidates for a typo's correction)."""
    padded = word.lower()
    grams = {padded[i:i + 3] for i in range(len(padded) - 2)}
    if not grams:
        return []
    query = " OR ".join(quote(g) for g in sorted(grams))
    index = vocabulary.replace("_search_terms", "_fts_terms")
    rows = session.execute(text(
        f"SELECT t.term FROM {index} JOIN {vocabulary} t ON t.id = {index}.rowid "
        f"WHERE {index} MATCH :q ORDER BY rank LIMIT :limit"), {"q": query, "limit": limit})
    return [r.term for r in rows]
