"""The ticket index's side of the knowledge base's two engines: of the tickets a user may see
(`allowed`, a filtered ticket query), the newest `limit` that match, with their scores, as a
subquery (`id`, `score`) that the caller orders and pages.

SQLite: FTS5 `ticket_fts` ranked by bm25 with subject > people (number, customer, tags) > CJK
pieces > messages. PostgreSQL: the `ticket_fts_document` tsvector (weights A, B, C, D in that
order) ranked by ts_rank. Customer terms must match the people column (FTS5 column filter; on
PostgreSQL the people words' own GIN index, ranked as weight-B words). Ranking reads every candidate's text, so only the newest `limit` are ranked;
on PostgreSQL a word in thousands of tickets is first looked for among the newest ones.
"""

from __future__ import annotations

import time

from sqlalchemy import (
    ARRAY,
    Float,
    Integer,
    Select,
    Text,
    and_,
    bindparam,
    cast,
    column,
    false,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
    true,
)
from sqlalchemy.exc import OperationalError

from helpdesk.models import Ticket
from knowledge_base.engines import Term
from knowledge_base.engines.postgres import tsquery_term
from knowledge_base.engines.sqlite import fts_term, quote

BM25_WEIGHTS = "8.0, 5.0, 2.0, 1.0"  # subject, people, grams, body
# Up to this many matching tickets (the planner's estimate), PostgreSQL reads the matches from the
# GIN index and checks the filters on each, newest first; past it, walking the newest tickets and
# testing each one's vector finds `limit` matches sooner than reading every match (see bench/README).
INDEX_FIRST_ROWS = 20_000
# When filters let fewer than this share of the tickets through, checking matches one by one
# rejects most of them: the filtered tickets are joined to the matches instead.
PROBE_SHARE = 0.2
# When filters let fewer than this share through, the walk over a common word tests only the
# filtered tickets' vectors, one by one; past it, the search rows are read in id order beside them.
WALK_PROBE_SHARE = 0.5
# SQLite: when the filters let at most this many tickets through, FTS5's matches are checked against
# their ids (an in-memory index built once: ~0.15 us per match) rather than by a lookup in `tickets`
# each (~0.6 us): a common word with a narrow filter walks most of its matches (see bench/README).
FILTER_FIRST_ROWS = 20_000
# The most CPU that counting them may take (building their set then costs about as much): the
# count adds this at most to the searches of an agent whose groups hold more tickets.
FILTER_FIRST_CPU = 0.0015
# PostgreSQL, index first: the matches among the newest tickets are read first, in a window of ids
# expected to hold this many times the matches that `limit` needs (a heap page per match: garcia's
# 10,000 matches visited 6,600 pages to give 1,250 ids); when fewer than `limit` of them pass, every
# match is read. A window past this share of the ids is not worth the extra statement.
WINDOW_MARGIN = 2.0
WINDOW_MAX_SHARE = 0.5
BUDGET_CHECK_STEPS = 10_000  # SQLite virtual machine steps between two looks at the count's CPU time
# ASCII punctuation, turned into spaces before PostgreSQL's parser reads a ticket (migration
# a7c9e1b3d5f8): it would otherwise keep an e-mail address, a host or a path as one word.
PUNCTUATION = "[!-/:-@[-`{-~]+"
_docs = table("ticket_search_docs", column("id", Integer), column("people"), column("ticket_fts_document"))
_fts = table("ticket_fts", column("rowid", Integer), column("rank", Float), column("ticket_fts"))


def _sqlite(session, allowed: Select, terms: list[Term], customer: list[Term], operator: str, limit: int):
    joiner = f" {operator.upper()} "
    parts = [joiner.join(fts_term(t, "grams") for t in terms)] if terms else []
    parts += [f"people : {quote(t.text)}" + ("*" if t.prefix else "") for t in customer]
    expression = " AND ".join(f"({p})" for p in parts)
    passing = _passing_count(session, allowed)
    if passing == 0:  # FTS5 would still walk every match to test it against no ticket
        return select(literal_column("0").label("id"), literal_column("0.0").label("score")).where(
            false()).subquery("candidates")
    if passing is not None:
        return _sqlite_filter_first(allowed, expression, limit)
    hits = (text(f"SELECT rowid AS id, -rank AS score FROM ticket_fts WHERE ticket_fts MATCH :fts "
                 f"AND rank MATCH 'bm25({BM25_WEIGHTS})'").bindparams(fts=expression)
            .columns(id=Integer, score=Float).subquery("hits"))
    # The FTS5 index is read in rowid order, so a word in every ticket stops after `limit` that pass.
    return (allowed.join(hits, hits.c.id == Ticket.id).with_only_columns(hits.c.id, hits.c.score)
            .order_by(hits.c.id.desc()).limit(limit).subquery("candidates"))


def _passing_count(session, allowed: Select) -> int | None:
    """How many tickets the filters let through, when at most FILTER_FIRST_ROWS and counting them
    (up to one more) took under FILTER_FIRST_CPU seconds: building their set then costs as little.
    None when there are more, when the count ran over its budget, or when nothing is filtered.

    The count is stopped past its budget (SQLite's progress handler): without statistics SQLite may
    read a narrow filter's tickets through an index of a broader one, a lookup in `tickets` each
    (a creation-date range within an agent's groups: 80,000 lookups, ~300 ms)."""
    if allowed.whereclause is None:
        return None  # every ticket
    ids = allowed.with_only_columns(Ticket.id).limit(FILTER_FIRST_ROWS + 1).subquery()
    driver = session.connection().connection.driver_connection
    deadline, stopped = time.thread_time() + FILTER_FIRST_CPU, []

    def over_budget() -> bool:
        if time.thread_time() > deadline:
            stopped.append(True)
        return bool(stopped)

    driver.set_progress_handler(over_budget, BUDGET_CHECK_STEPS)
    try:
        count = session.scalar(select(func.count()).select_from(ids))
    except OperationalError:
        if not stopped:
            raise
        return None
    finally:
        driver.set_progress_handler(None, 0)
    return count if count <= FILTER_FIRST_ROWS else None


def _sqlite_filter_first(allowed: Select, expression: str, limit: int):
    # The same matches newest first, each tested against the ids that pass the filters (an
    # in-memory index SQLite builds once) instead of a lookup in `tickets`. The unary plus keeps
    # the IN list from FTS5, which would run the MATCH (and bm25's count of every match) per id.
    passing = allowed.with_only_columns(Ticket.id).correlate(None)
    return (select(_fts.c.rowid.label("id"), (-_fts.c.rank).label("score"))
            .where(_fts.c.ticket_fts.op("MATCH")(bindparam("fts", expression, unique=True)),
                   _fts.c.rank.op("MATCH")(literal_column(f"'bm25({BM25_WEIGHTS})'")),
                   literal_column("+ticket_fts.rowid").in_(passing))
            .order_by(_fts.c.rowid.desc()).limit(limit).subquery("candidates"))


def _tsquery(expression: str):
    return func.to_tsquery(literal_column("'kb_simple'"), bindparam("fts", expression, unique=True))


def _plan_rows(session, statement) -> float:
    """How many rows the planner expects `statement` to return (its statistics: of the vectors'
    words, so a prefix or a rare word is estimated as well as a common one, and of the filters)."""
    compiled = statement.compile(dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True})
    plan = session.connection().exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params).scalar()
    return float(plan[0]["Plan"]["Plan Rows"])


def _postgres(session, allowed: Select, terms: list[Term], customer: list[Term], operator: str, limit: int):
    # psycopg prepares a statement it has run five times, and PostgreSQL then may plan it once for
    # every tsquery: the plan made for a rare word (read the GIN index) walked 80 ms for a word in
    # most tickets, where its own plan takes 8 ms. Each search is planned for its own words.
    session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    joiner = " & " if operator == "and" else " | "
    words = joiner.join(tsquery_term(t) for t in terms)
    people = [f"'{t.text}'{':*' if t.prefix else ''}" for t in customer]
    # Ranked on the whole vector, a customer term as a weight-B (people) word.
    weighted = [f"'{t.text}':{'*' if t.prefix else ''}B" for t in customer]
    expression = " & ".join(f"({p})" for p in ([words] if terms else []) + weighted)
    docs = _docs.alias("d")
    matches = _matches(docs, words if terms else None, " & ".join(f"({p})" for p in people) or None)
    allowed_share = _allowed_share(session, allowed)
    rows = _plan_rows(session, select(docs.c.id).where(matches))
    if rows > INDEX_FIRST_ROWS:
        return _walk(allowed, docs, matches, expression, allowed_share, limit)
    window = _newest_window(session, allowed, docs, matches, rows, allowed_share, limit)
    if window is not None:
        ids = func.string_to_array(bindparam("picked", window, unique=True), literal(","))
        picked = select(func.unnest(cast(ids, ARRAY(Integer))).table_valued("id").render_derived()).cte("picked")
    else:
        found = select(docs.c.id).where(matches).order_by(docs.c.id.desc()).cte("found").prefix_with("MATERIALIZED")
        picked = _index_first(allowed, found, allowed_share, limit).cte("picked").prefix_with("MATERIALIZED")
    ranked = _docs.alias("r")
    return select(picked.c.id, _rank(ranked, expression)).join(ranked, ranked.c.id == picked.c.id).subquery("candidates")


def _allowed_share(session, allowed: Select) -> float:
    """The planner's estimate of the share of all tickets that `allowed` lets through."""
    if allowed.whereclause is None and allowed.get_final_froms() == [Ticket.__table__]:
        return 1.0  # every ticket (a supervisor's words alone): no plan to ask for
    return _plan_rows(session, allowed.with_only_columns(Ticket.id)) / max(_plan_rows(session, select(Ticket.id)), 1)


def window_share(rows: float, allowed_share: float, limit: int) -> float:
    """The share of the newest ticket ids expected to hold WINDOW_MARGIN times the matches that
    `limit` passing ones need, of `rows` matches of which `allowed_share` pass."""
    return WINDOW_MARGIN * limit / max(rows * allowed_share, 1.0)


def _newest_window(session, allowed: Select, docs, matches, rows: float, allowed_share: float,
                   limit: int) -> str | None:
    """The ids the index-first plan picks (the newest `limit` matches that pass the filters), as
    comma-separated text, found among the matches in a window of the newest tickets; None when a
    window would leave few matches out, or when fewer than `limit` of its matches pass."""
    share = window_share(rows, allowed_share, limit)
    if share > WINDOW_MAX_SHARE:
        return None
    low, high, setting = session.execute(select(func.min(docs.c.id), func.max(docs.c.id),
                                                func.current_setting("enable_indexscan"))).one()
    if high is None:
        return None
    floor = high - int((high - low + 1) * share)
    found = (select(docs.c.id).where(matches, docs.c.id > floor).order_by(docs.c.id.desc())
             .cte("found").prefix_with("MATERIALIZED"))
    picked = _index_first(allowed, found, allowed_share, limit).subquery("picked")
    # The planner does not count reading a vector back from TOAST to test it, so it would walk the
    # primary key over the window and test every vector (450 ms for garcia's last 50,000 tickets):
    # without index scans it ANDs the two indexes' bitmaps and visits only the window's matches.
    # The ids stay text: a Python list of them cost more to send back than the search saved. The
    # caller's setting is put back after (if the statement fails, the rollback undoes it). The ids
    # are read in this statement and ranked in the next: under READ COMMITTED a ticket moved out of
    # the user's groups in between may still be listed, as it would had it moved a moment later.
    session.execute(text("SET LOCAL enable_indexscan = off"))
    count, ids = session.execute(select(func.count(), func.string_agg(cast(picked.c.id, Text), literal(",")))).one()
    session.execute(select(func.set_config("enable_indexscan", setting, True)))
    return ids if count == limit else None


def _index_first(allowed: Select, found, allowed_share: float, limit: int) -> Select:
    """Of `found` (a CTE of ids, newest first), the first `limit` that pass the filters."""
    if allowed_share >= PROBE_SHARE:
        # Every match from the GIN index (ids only), newest first; each is checked against the
        # filters by primary key (OFFSET 0 keeps that a per-row probe: flattened, the planner
        # walks the whole ticket table in id order instead) until `limit` pass.
        passes = allowed.with_only_columns(literal(1)).where(Ticket.id == found.c.id).offset(0).lateral("passes")
        return select(found.c.id.label("id")).select_from(found.join(passes, true())).limit(limit)
    # Few tickets pass the filters: the planner joins them to the matches (a hash join).
    return (allowed.with_only_columns(Ticket.id.label("id")).join(found, found.c.id == Ticket.id)
            .order_by(Ticket.id.desc()).limit(limit))


def _walk(allowed: Select, docs, matches, expression: str, allowed_share: float, limit: int):
    # Ranked as they are walked: each vector is read for the match and the rank.
    if allowed_share >= WALK_PROBE_SHARE:
        return (allowed.with_only_columns(Ticket.id.label("id"), _rank(docs, expression))
                .join(docs, docs.c.id == Ticket.id).where(matches).order_by(Ticket.id.desc()).limit(limit)
                .subquery("candidates"))
    # The filtered tickets newest first, each one's vector tested by primary key (OFFSET 0 keeps it
    # a per-ticket probe: joined, the planner merge-joined the search rows read backwards and tested
    # the vector of every ticket, filtered out or not: 5,044 vectors for `group:Billing invoice`,
    # where 1,407 Billing tickets give the 1,000 matches).
    if allowed_share >= PROBE_SHARE:
        probe = _probe(docs, matches, expression, Ticket.id)
        return (allowed.with_only_columns(Ticket.id.label("id"), probe.c.score).join(probe, true())
                .order_by(Ticket.id.desc()).limit(limit).subquery("candidates"))
    # Few pass: their ids first, from the filters' own indexes (walked backwards for them, the ticket
    # table was read whole when nothing passed: `group:Billing` for an agent outside Billing).
    ids = (allowed.with_only_columns(Ticket.id.label("id")).order_by(Ticket.id.desc())
           .cte("allowed_ids").prefix_with("MATERIALIZED"))
    probe = _probe(docs, matches, expression, ids.c.id)
    return select(ids.c.id, probe.c.score).select_from(ids.join(probe, true())).limit(limit).subquery("candidates")


def _probe(docs, matches, expression: str, ticket_id):
    return select(_rank(docs, expression)).where(docs.c.id == ticket_id, matches).offset(0).lateral("probe")


def people_vector(docs):
    """The words of a search row's people column (customer, addresses, number, tags): the weight-B
    part of its document, and the expression of the GIN index `ticket_fts_people_idx`."""
    return func.to_tsvector(literal_column("'kb_simple'"), func.regexp_replace(
        docs.c.people, literal_column(f"'{PUNCTUATION}'"), literal_column("' '"), literal_column("'g'")))


def _matches(docs, words: str | None, people: str | None):
    # A weight in a tsquery makes the GIN index recheck every candidate's vector (read back from
    # TOAST): `'refund':* & 'garcia':*B` reread 5,740 vectors. The customer terms are matched on
    # the people words' own index instead, which needs no recheck, and the two indexes are ANDed.
    conditions = []
    if words is not None:
        conditions.append(docs.c.ticket_fts_document.op("@@")(_tsquery(words)))
    if people is not None:
        conditions.append(people_vector(docs).op("@@")(_tsquery(people)))
    return and_(*conditions)


def _rank(docs, expression: str):
    return func.ts_rank(docs.c.ticket_fts_document, _tsquery(expression), 1).label("score")


def candidates(session, allowed: Select, terms: list[Term], customer: list[Term], operator: str = "and",
               limit: int = 1000):
    """Of the tickets `allowed` selects, the newest `limit` matching all (`and`) or any (`or`) of
    `terms`, and every one of `customer` in the customer's name or addresses: a subquery with
    columns `id` and `score` (higher is better), unordered."""
    if session.get_bind().dialect.name == "postgresql":
        return _postgres(session, allowed, terms, customer, operator, limit)
    return _sqlite(session, allowed, terms, customer, operator, limit)
