"""SQLite FTS5: `kb_fts` (Porter-stemmed unicode61 without diacritics) over `kb_search_docs`, ranked
by bm25 with title > tags > body; `kb_fts_terms` (trigram) over the word list for typos."""

from __future__ import annotations

from sqlalchemy import text

from knowledge_base.engines import Filters, RawHit, Term, expanding, filter_clauses

_WEIGHTS = "8.0, 3.0, 1.0"  # title, tags, body


def _fts_term(term: Term) -> str:
    chars = term.chars
    body = " ".join(chars) if chars else term.text
    quoted = '"' + body.replace('"', '""') + '"'
    return quoted + ("*" if term.prefix and not chars else "")


def match_expression(terms: list[Term], operator: str) -> str:
    """The FTS5 MATCH string: quoted terms (CJK as phrases) joined by AND or OR."""
    return f" {operator.upper()} ".join(_fts_term(t) for t in terms)


def match(session, terms: list[Term], operator: str, filters: Filters, limit: int) -> list[RawHit]:
    """The best `limit` documents matching all (`and`) or any (`or`) of `terms`."""
    params: dict = {"q": match_expression(terms, operator), "limit": limit}
    where = ["kb_fts MATCH :q", *filter_clauses(filters, params)]
    # FTS5 sorts by `rank` itself, so snippets are made only for the rows the LIMIT lets through.
    statement = text(
        "SELECT d.id, d.article_id, d.language, d.visibility, -rank AS score, "
        "highlight(kb_fts, 0, char(2), char(3)) AS title, snippet(kb_fts, 2, char(2), char(3), '…', 24) AS snippet "
        f"FROM kb_fts JOIN kb_search_docs d ON d.id = kb_fts.rowid WHERE {' AND '.join(where)} "
        f"AND rank MATCH 'bm25({_WEIGHTS})' ORDER BY rank LIMIT :limit"
    )
    rows = session.execute(expanding(statement, params), params)
    return [RawHit(translation_id=r.id, article_id=r.article_id, language=r.language, visibility=r.visibility,
                   score=float(r.score), title=r.title, snippet=r.snippet) for r in rows]


def similar_terms(session, word: str, limit: int = 40) -> list[str]:
    """Vocabulary words sharing the most trigrams with `word` (candidates for a typo's correction)."""
    padded = word.lower()
    grams = {padded[i:i + 3] for i in range(len(padded) - 2)}
    if not grams:
        return []
    query = " OR ".join('"' + g.replace('"', '""') + '"' for g in sorted(grams))
    rows = session.execute(text(
        "SELECT t.term FROM kb_fts_terms JOIN kb_search_terms t ON t.id = kb_fts_terms.rowid "
        "WHERE kb_fts_terms MATCH :q ORDER BY rank LIMIT :limit"), {"q": query, "limit": limit})
    return [r.term for r in rows]
