"""PostgreSQL's ticket search plans: whichever plan the planner's estimates pick (matches read from
the GIN index then checked against the filters, filtered tickets joined to the matches, or the
newest tickets walked and their vectors tested), and however the customer terms are matched, the candidates are those of
one weighted tsquery over every visible ticket: the newest `limit` matches, scored by ts_rank."""

from __future__ import annotations

import functools

import pytest
from sqlalchemy import select, text

from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.services import tickets
from helpdesk.services.search import engines, indexing
from helpdesk.services.tickets import TicketFilter
from knowledge_base import search as kb_search

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # PostgreSQL's plans

PLANS = {  # (INDEX_FIRST_ROWS, PROBE_SHARE, WALK_PROBE_SHARE, share of the newest ids read first or None)
    "index first, probe each match": (10**9, 0.0, 0.0, None),
    "index first, filtered tickets joined": (10**9, 1.1, 0.0, None),
    "index first, newest half first, probe each match": (10**9, 0.0, 0.0, 0.5),
    "index first, newest half first, filtered tickets joined": (10**9, 1.1, 0.0, 0.5),
    "newest tickets walked beside the search rows": (-1, 0.0, 0.0, None),
    "newest tickets walked, each one's vector probed": (-1, 0.0, 1.1, None),
    "filtered tickets' ids first, each one's vector probed": (-1, 1.1, 1.1, None),
}


@pytest.fixture
def corpus(groups, inbound, make_user):
    """García's tickets, tickets that only mention garcia in their text, and others, some urgent."""
    agent = make_user(groups=("Support", "Billing"))
    made = []
    for n in range(4):
        made.append(
            inbound(
                email=f"garcia{n}@example.com",
                name="Ana García",
                subject=f"Refund {n}",
                body="I want a refund of my order",
            ).ticket_id
        )
        made.append(
            inbound(
                email=f"other{n}@example.com",
                name="Bo Lee",
                subject="Refund for Garcia",
                body="Ms Garcia asked me to request a refund, password attached",
            ).ticket_id
        )
        made.append(
            inbound(
                email=f"kim{n}@example.com",
                name="Kim Park",
                subject="Password",
                body="I forgot my password",
                group_hint="Billing",
            ).ticket_id
        )
    for ticket_id in made[::2]:
        tickets.update_ticket(db.session.get(Ticket, ticket_id), agent, priority="urgent")
    for ticket_id in made[1::3]:
        tickets.update_ticket(db.session.get(Ticket, ticket_id), agent, tags=["vip"])
    db.session.commit()
    indexing.drain()
    return agent


def _reference(user, f: TicketFilter, words: str, customer: str, limit: int) -> list[tuple[int, float]]:
    """The newest `limit` visible matches of the weighted tsquery `words & customer:B`, with ts_rank."""
    terms, people = kb_search.parse(words), kb_search.parse(customer)
    parts = ([engines.tsquery_term(t) for t in terms] if terms else []) + [
        f"'{t.text}':{'*' if t.prefix else ''}B" for t in people
    ]
    allowed = tickets.filtered(user, f).with_only_columns(Ticket.id).subquery()
    rows = db.session.execute(
        text(
            "SELECT d.id, ts_rank(d.ticket_fts_document, to_tsquery('kb_simple', :q), 1) FROM ticket_search_docs d "
            f"WHERE d.id IN (SELECT id FROM ({select(allowed.c.id).compile(compile_kwargs={'literal_binds': True})}) a) "
            "AND d.ticket_fts_document @@ to_tsquery('kb_simple', :q) ORDER BY d.id DESC LIMIT :limit"
        ),
        {"q": " & ".join(f"({p})" for p in parts), "limit": limit},
    )
    return sorted((r[0], round(r[1], 6)) for r in rows)


def _candidates(user, f: TicketFilter, words: str, customer: str, limit: int) -> list[tuple[int, float]]:
    found = engines.candidates(
        db.session, tickets.filtered(user, f), kb_search.parse(words), kb_search.parse(customer), "and", limit
    )
    return sorted((r.id, round(r.score, 6)) for r in db.session.execute(select(found.c.id, found.c.score)))


@pytest.mark.parametrize("plan", PLANS)
@pytest.mark.parametrize(
    "words, customer, filters",
    [
        ("refund", "garcia", {}),  # garcia in the customer's name, not in the text that mentions Ms Garcia
        ("", "garc", {}),  # a customer prefix alone
        ("refund", "garcia@example", {}),
        ("password", "", {"priorities": ["urgent"]}),  # a narrow filter and a common word
        ("refund", "garcia", {"priorities": ["urgent"]}),
        ("password", "", {"group": "Billing"}),
        ("refund", "", {"tag": "vip"}),  # a filter that is a subquery of its own
    ],
)
def test_every_plan_finds_what_one_weighted_query_finds(corpus, groups, monkeypatch, plan, words, customer, filters):
    _use_plan(monkeypatch, plan)
    group = {g.name: g.id for g in groups}.get(filters.get("group"))
    f = TicketFilter(view="all", priorities=filters.get("priorities", []), group_id=group, tag=filters.get("tag"))
    for limit in (2, 100):
        expected = _reference(corpus, f, words, customer, limit)
        assert expected, "the case must find something"
        assert _candidates(corpus, f, words, customer, limit) == expected


@pytest.mark.parametrize("plan", PLANS)
def test_every_plan_finds_nothing_when_the_filters_exclude_every_visible_ticket(
    corpus, groups, make_user, monkeypatch, plan
):
    _use_plan(monkeypatch, plan)
    billing = next(g.id for g in groups if g.name == "Billing")
    support_agent = make_user(groups=("Support",))
    assert _candidates(support_agent, TicketFilter(view="all", group_id=billing), "password", "", 100) == []


def _use_plan(monkeypatch, plan: str) -> None:
    rows, share, walk_share, window = PLANS[plan]
    monkeypatch.setattr(engines, "INDEX_FIRST_ROWS", rows)
    monkeypatch.setattr(engines, "PROBE_SHARE", share)
    monkeypatch.setattr(engines, "WALK_PROBE_SHARE", walk_share)
    monkeypatch.setattr(engines, "WINDOW_MAX_SHARE", 1.0)
    monkeypatch.setattr(engines, "window_share", lambda *_: 2.0 if window is None else window)


@pytest.mark.parametrize("probe_share", [0.0, 1.1])
def test_the_newest_window_gives_the_newest_passing_matches_or_steps_aside(corpus, monkeypatch, probe_share):
    """Read first, the newest half of the ids holds the 2 newest passing matches, so its picks are
    the candidates; it cannot hold 100, so every match is read, and the answer is the same."""
    _use_plan(monkeypatch, "index first, newest half first, probe each match")
    monkeypatch.setattr(engines, "PROBE_SHARE", probe_share)
    picked = []
    original = engines._newest_window
    monkeypatch.setattr(engines, "_newest_window", lambda *a: picked.append(original(*a)) or picked[-1])
    f = TicketFilter(view="all")
    db.session.execute(text("SET LOCAL enable_indexscan = on"))
    for limit, used in ((2, True), (100, False)):
        assert _candidates(corpus, f, "refund", "", limit) == _reference(corpus, f, "refund", "", limit)
        assert (picked[-1] is not None) is used
        assert db.session.execute(text("SHOW enable_indexscan")).scalar() == "on"  # put back for the caller


def test_a_customer_term_is_not_found_in_the_text(corpus):
    f = TicketFilter(view="all")
    found = {i for i, _ in _candidates(corpus, f, "", "garcia", 100)}
    mentioned = {i for i, _ in _candidates(corpus, f, "garcia", "", 100)}
    assert len(found) == 4 and len(mentioned) == 8 and found < mentioned


# Text with every kind of punctuation, script and space that the vector's parser may meet.
PUNCTUATED = [
    "user@exämple.com https://x.org/a-b?c=1&d=%20 3.14 v2.0.1 e-mail o'brien C++ a_b ~/.ssh/id_rsa",
    "我无法重置密码，请帮助。パスワードを忘れました「ログイン」",
    "Ünïcödé façade — naïve «test» ¿qué? ¡sí! 1,5 € £3 ½ x² naïve·word",
    'back\\slash [br]ackets {braces} `tick` ^caret |pipe| "quotes" <tag attr="1"/> #123 $9.99 +34 600-111-222',
    "tabs\tand\nnew\r\nlines  and   spaces\x0b\x0c",
    "ʼapostropheʼ ‘curly’ “double” dash–en dash—em ellipsis… bullet•point",
]


@pytest.mark.parametrize("text_", PUNCTUATED)
def test_the_ascii_punctuation_class_gives_the_words_of_any_not_alnum(app, text_):
    """Migration a7c9e1b3d5f8 changed how punctuation is spaced out before PostgreSQL's parser
    reads a ticket (an ASCII class, ten times faster); the vector must not change."""
    old = "to_tsvector('kb_simple', regexp_replace(:t, '[^[:alnum:]]+', ' ', 'g'))"
    new = f"to_tsvector('kb_simple', regexp_replace(:t, '{engines.PUNCTUATION}', ' ', 'g'))"
    before, after = db.session.execute(text(f"SELECT {old}::text, {new}::text"), {"t": text_}).one()
    assert after == before and before


@functools.cache
def _migration(file_name: str):
    """A migration's module, for the SQL it wrote (loaded once)."""
    import importlib.util
    from pathlib import Path

    import helpdesk

    spec = importlib.util.spec_from_file_location(file_name[:-3], Path(helpdesk.__file__).parent / "migrations/versions" / file_name)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    return migration


def test_the_people_index_and_the_query_read_the_same_words(corpus):
    """The people GIN index (migration a7c9e1b3d5f8) serves a customer term only while its
    expression is the one the search writes, PUNCTUATION included."""
    assert _migration("a7c9e1b3d5f8_ticket_search_ascii_punctuation.py").ASCII_PUNCTUATION == engines.PUNCTUATION
    db.session.execute(text("SET LOCAL enable_seqscan = off"))  # a dozen rows: make the planner show its index
    docs = engines._docs.alias("d")
    query = select(docs.c.id).where(engines.people_vector(docs).op("@@")(engines._tsquery("'garcia':*")))
    compiled = query.compile(dialect=db.session.get_bind().dialect)
    plan = "\n".join(db.session.connection().exec_driver_sql(f"EXPLAIN {compiled}", compiled.params).scalars())
    assert "ticket_fts_people_idx" in plan


VECTOR_MIGRATION = "b6d8f0a2c4e7_ticket_search_vector_appended.py"


def _vector(ticket_id: int) -> tuple[str, str]:
    """The ticket's stored vector, and the vector of its row's whole text (the former generated column)."""
    whole = _migration(VECTOR_MIGRATION)._document()
    return db.session.execute(text(f"SELECT ticket_fts_document::text, ({whole})::text FROM ticket_search_docs "
                                   "WHERE id = :id"), {"id": ticket_id}).one()


# Messages of one ticket each: every kind of text; a word that fills its 255 positions in one
# message; one that fills them only across two (|| would keep 256 where parsing keeps 255).
GROWING = [
    [*PUNCTUATED, "", "- leading dash, then\nlines", "refund " * 300, "último"],
    ["First message", "wait " * 200, "wait " * 100, "after the waits"],
]


@pytest.mark.parametrize("messages", GROWING, ids=["texts", "positions filled across messages"])
def test_a_ticket_growing_by_messages_has_the_vector_of_its_whole_text(inbound, messages):
    """Each new message's words are appended to the vector (migration b6d8f0a2c4e7); the result is
    the vector of the whole text, positions included, whatever the messages hold."""
    assert _migration(VECTOR_MIGRATION).PUNCTUATION == engines.PUNCTUATION
    first = inbound(email="ana@example.com", name="Ana García", subject="Contraseña olvidada", body=messages[0])
    indexing.drain()
    for body in messages[1:]:
        reply = inbound(email="ana@example.com", body=body, ticket_hint=first.ticket_id)
        assert reply.ticket_id == first.ticket_id
        indexing.drain()
        stored, whole = _vector(first.ticket_id)
        assert stored == whole


def test_a_new_message_is_added_to_the_vector_without_parsing_the_ticket_again(inbound):
    first = inbound(email="ana@example.com", name="Ana García", subject="Refund", body="First message")
    indexing.drain()
    # A word in the stored vector only: kept when the next message is appended, gone when the whole
    # ticket is parsed again.
    db.session.execute(text("SET LOCAL session_replication_role = replica"))  # past the trigger
    db.session.execute(text("UPDATE ticket_search_docs SET ticket_fts_document = ticket_fts_document || "
                            "'planted'::tsvector WHERE id = :id"), {"id": first.ticket_id})
    db.session.commit()
    inbound(email="ana@example.com", body="Second message", ticket_hint=first.ticket_id)
    indexing.drain()
    stored, _ = _vector(first.ticket_id)
    assert "'planted'" in stored and "'second'" in stored
    # The customer's new name changes the people words: the whole ticket is parsed again.
    db.session.get(Ticket, first.ticket_id).customer.name = "Ana López"
    db.session.commit()
    indexing.drain()
    stored, whole = _vector(first.ticket_id)
    assert "'planted'" not in stored and "'lopez'" in stored and stored == whole


def test_text_added_without_a_line_break_gets_the_whole_vector(inbound):
    """A body that grew by joining its last word ("First message" + "s") is not a new message:
    appended, "messages" would have been indexed as "message" and "s"."""
    first = inbound(email="ana@example.com", subject="Refund", body="First message")
    indexing.drain()
    db.session.execute(text("UPDATE ticket_search_docs SET body = body || 's and more' WHERE id = :id"),
                       {"id": first.ticket_id})
    stored, whole = _vector(first.ticket_id)
    assert "'messages'" in stored and stored == whole


def test_the_vector_is_kept_current_from_a_session_with_another_search_path(inbound):
    """The trigger finds its text search configuration whatever the session's search path (a
    data-only restore runs with an empty one)."""
    first = inbound(email="ana@example.com", subject="Refund", body="First message")
    indexing.drain()
    schema = db.session.execute(text("SELECT current_schema()")).scalar()
    db.session.execute(text("SET LOCAL search_path = ''"))
    db.session.execute(text(f'UPDATE "{schema}".ticket_search_docs SET body = body || E\'\\nSecond one\' '
                            "WHERE id = :id"), {"id": first.ticket_id})
    db.session.execute(text(f'SET LOCAL search_path = "{schema}"'))
    stored, whole = _vector(first.ticket_id)
    assert "'second'" in stored and stored == whole
