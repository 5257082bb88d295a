"""The ticket index's side of the knowledge base's two engines: the matching tickets and their
scores as a subquery (`id`, `score`) that the caller joins to the tickets it may show.

SQLite: FTS5 `ticket_fts` ranked by bm25 with subject > people (number, customer, tags) > CJK
pieces > messages. PostgreSQL: the `ticket_fts_document` tsvector (weights A, B, C, D in that
order) ranked by ts_rank. Customer terms must match the people column (FTS5 column filter; the
tsquery's weight B).
"""

from __future__ import annotations

from sqlalchemy import Float, Integer, text

from knowledge_base.engines import Term
from knowledge_base.engines.postgres import tsquery_term
from knowledge_base.engines.sqlite import fts_term, quote

BM25_WEIGHTS = "8.0, 5.0, 2.0, 1.0"  # subject, people, grams, body


def _sqlite(terms: list[Term], customer: list[Term], operator: str):
    joiner = f" {operator.upper()} "
    parts = [joiner.join(fts_term(t, "grams") for t in terms)] if terms else []
    parts += [f"people : {quote(t.text)}" + ("*" if t.prefix else "") for t in customer]
    expression = " AND ".join(f"({p})" for p in parts)
    statement = text(f"SELECT rowid AS id, -rank AS score FROM ticket_fts WHERE ticket_fts MATCH :fts "
                     f"AND rank MATCH 'bm25({BM25_WEIGHTS})'").bindparams(fts=expression)
    return statement.columns(id=Integer, score=Float).subquery("hits")


def _postgres(terms: list[Term], customer: list[Term], operator: str):
    joiner = " & " if operator == "and" else " | "
    parts = [joiner.join(tsquery_term(t) for t in terms)] if terms else []
    parts += [f"'{t.text}':{'*' if t.prefix else ''}B" for t in customer]
    expression = " & ".join(f"({p})" for p in parts)
    # The query inline (not joined from a subquery), so the planner sees a constant and reads the GIN index.
    statement = text("SELECT d.id, ts_rank(d.ticket_fts_document, to_tsquery('kb_simple', :fts), 1) AS score "
                     "FROM ticket_search_docs d "
                     "WHERE d.ticket_fts_document @@ to_tsquery('kb_simple', :fts)").bindparams(fts=expression)
    return statement.columns(id=Integer, score=Float).subquery("hits")


def matching(dialect: str, terms: list[Term], customer: list[Term], operator: str = "and"):
    """A subquery of the tickets matching all (`and`) or any (`or`) of `terms`, and every one of
    `customer` in the customer's name or addresses: columns `id` and `score` (higher is better)."""
    return (_postgres if dialect == "postgresql" else _sqlite)(terms, customer, operator)
