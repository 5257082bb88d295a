"""Refit and predict on a small multilingual corpus, through the real database."""

from __future__ import annotations

from collections import defaultdict

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import TicketTopic, Topic, TopicModel
from helpdesk.services.topics import assign, refit
from tests.topics.conftest import GROUPS


def _topics_of(ids) -> dict[int, int]:
    rows = db.session.execute(select(TicketTopic.ticket_id, TicketTopic.topic_id).where(TicketTopic.ticket_id.in_(ids)))
    return dict(rows.all())


def test_a_refit_groups_tickets_by_topic_and_language(app, corpus, topic_settings):
    stages = []
    result = refit.refit(lambda stage, done, total: stages.append(stage))
    assert result.documents == len(corpus) and result.new == result.topics
    assert {"reading", "words", "fitting", "assigning"} <= set(stages)
    found = _topics_of(corpus)
    assert set(found) == set(corpus)  # every ticket has a topic
    by_group = defaultdict(set)
    for ticket_id, group in corpus.items():
        by_group[group].add(found[ticket_id])
    # Each (topic, language) lands in one topic, and no two groups share one.
    assert all(len(topics) == 1 for topics in by_group.values()), by_group
    assert len({next(iter(t)) for t in by_group.values()}) == GROUPS
    labels = {db.session.get(Topic, next(iter(t))).label for t in by_group.values()}
    assert any("password" in label for label in labels) and any("退款" in label for label in labels)


def test_a_stored_model_is_plain_arrays_and_predicts_like_the_refit(app, corpus, topic_settings):
    refit.refit()
    stored = db.session.scalar(select(TopicModel))
    assert isinstance(stored.idf, bytes) and not stored.components.startswith(b"\x80")  # not a pickle
    assert len(stored.components) == 4 * len(stored.words) * len(stored.row_topics)
    found = _topics_of(corpus)
    sample = next(t for t, g in corpus.items() if g == ("delivery", "es"))
    topic_id, score = assign.predict("Mi pedido no ha llegado", "El paquete no llega, ¿dónde está?")
    assert topic_id == found[sample] and score > 0
    assert assign.predict("", "") == (None, 0.0)


def test_a_new_ticket_gets_its_topic_at_ingest(app, corpus, topic_settings, inbound):
    refit.refit()
    found = _topics_of(corpus)
    refund_zh = next(t for t, g in corpus.items() if g == ("refund", "zh"))
    result = inbound(email="new@example.com", subject="退款还没有到账", body="我申请了退款，信用卡还没有收到。",
                     thread_key="chat-9")
    assert _topics_of([result.ticket_id]) == {result.ticket_id: found[refund_zh]}
    # A follow-up message on the same ticket (about something else) leaves its topic alone.
    again = inbound(email="new@example.com", body="Also my password reset link expired", thread_key="chat-9")
    assert again.ticket_id == result.ticket_id and not again.created_ticket
    assert _topics_of([result.ticket_id]) == {result.ticket_id: found[refund_zh]}


def test_the_ticket_page_shows_its_topic_with_a_link_to_the_topics_tickets(app, corpus, topic_settings, client,
                                                                           login, make_user):
    refit.refit()
    ticket_id = next(t for t, g in corpus.items() if g == ("delivery", "en"))
    topic_id = _topics_of([ticket_id])[ticket_id]
    login(make_user("supervisor", ()))
    page = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert 'id="ticket-topic"' in page and f"topic_id={topic_id}" in page
    listed = client.get(f"/tickets?view=all&topic_id={topic_id}").get_data(as_text=True)
    assert f'/tickets/{ticket_id}"' in listed
    assert client.get("/tickets?view=all&topic_id=abc").status_code == 400


def test_without_a_model_ingest_stores_no_topic(app, inbound):
    result = inbound(subject="Anything", body="Hello there")
    assert _topics_of([result.ticket_id]) == {}


@pytest.mark.parametrize("tagging", [True, False])
def test_topic_tags_at_ingest_follow_the_setting(app, corpus, topic_settings, inbound, tagging):
    from helpdesk.models import Ticket
    from helpdesk.services.topics import curation

    refit.refit()
    curation.update_settings({"tag_tickets": tagging})
    topic_id, _ = assign.predict("Package has not arrived", "Where is my order package?")
    curation.rename(topic_id, "Late deliveries")
    result = inbound(email="tags@example.com", subject="Package has not arrived", body="Where is my order package?")
    ticket = db.session.get(Ticket, result.ticket_id)
    assert ticket.tags == (["topic:late-deliveries"] if tagging else [])


def test_a_new_tickets_topic_costs_ingest_no_statement_of_its_own_on_postgresql(app, corpus, topic_settings,
                                                                                 inbound):
    from sqlalchemy import event

    refit.refit()
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        result = inbound(email="new@example.com", subject="Refund not received", body="Please refund my card")
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert _topics_of([result.ticket_id])  # it has its topic
    writing = [s for s in statements if "INSERT INTO ticket_topics" in s]
    assert len(writing) == 1
    if db.engine.dialect.name == "postgresql":  # one round trip: the message's own INSERT carries it
        assert "INSERT INTO messages" in writing[0]
    else:  # SQLite has no round trip to save
        assert "INSERT INTO messages" not in writing[0]
