"""SQLite FTS5: `kb_fts_titles` (titles and tags) and `kb_fts` (everything) over `kb_search_docs`,
Porter-stemmed unicode61 without diacritics, ranked by bm25 with title > tags > body;
`kb_fts_terms` (trigram) over the word list for typos."""

from __future__ import annotations

from sqlalchemy import bindparam, text

from knowledge_base.engines import Filters, RawHit, Term, expanding, filter_clauses
from knowledge_base.text import snippet

_TABLES = {"titles": ("kb_fts_titles", "8.0, 3.0"), "all": ("kb_fts", "8.0, 3.0, 1.0")}
_MARKS = "char(2), char(3)"


def _fts_term(term: Term) -> str:
    chars = term.chars
    body = " ".join(chars) if chars else term.text
    quoted = '"' + body.replace('"', '""') + '"'
    return quoted + ("*" if term.prefix and not chars else "")


def match_expression(terms: list[Term], operator: str) -> str:
    """The FTS5 MATCH string: quoted terms (CJK as phrases) joined by AND or OR."""
    return f" {operator.upper()} ".join(_fts_term(t) for t in terms)


def match(session, terms: list[Term], operator: str, filters: Filters, limit: int, field: str = "all") -> list[RawHit]:
    """The best `limit` documents matching all (`and`) or any (`or`) of `terms` in `field`
    ("titles": titles and tags only, "all": with the body)."""
    table, weights = _TABLES[field]
    params: dict = {"q": match_expression(terms, operator), "limit": limit}
    where = [f"{table} MATCH :q", *filter_clauses(filters, params)]
    snippet = f"snippet(kb_fts, 2, {_MARKS}, '…', 24)" if field == "all" else "''"
    # FTS5 sorts by `rank` itself, so snippets are made only for the rows the LIMIT lets through.
    statement = text(
        f"SELECT d.id, d.article_id, d.language, d.visibility, -rank AS score, "
        f"highlight({table}, 0, {_MARKS}) AS title, {snippet} AS snippet "
        f"FROM {table} JOIN kb_search_docs d ON d.id = {table}.rowid WHERE {' AND '.join(where)} "
        f"AND rank MATCH 'bm25({weights})' ORDER BY rank LIMIT :limit")
    rows = session.execute(expanding(statement, params), params).all()
    snippets = _body_snippets(session, terms, [r.id for r in rows]) if field == "titles" and rows else {}
    return [RawHit(translation_id=r.id, article_id=r.article_id, language=r.language, visibility=r.visibility,
                   score=float(r.score), title=r.title, snippet=snippets.get(r.id, r.snippet)) for r in rows]


def _body_snippets(session, terms: list[Term], ids: list[int]) -> dict[int, str]:
    """Body snippets of the documents `ids` (found by their titles), cut from their indexed text
    (asking FTS5 for them by rowid is slow for a prefix that expands to many words)."""
    words = [t.text for t in terms if not t.chars]
    phrases = [t.text for t in terms if t.chars]
    rows = session.execute(text("SELECT id, body FROM kb_search_docs WHERE id IN :ids").bindparams(
        bindparam("ids", expanding=True)), {"ids": ids})
    return {r.id: snippet(r.body, words, phrases) for r in rows}


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
