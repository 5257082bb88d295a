"""Ticket search: the misses agents reported (numbers, accents, typos, CJK, every message and the
customer's details), field filters, visibility, snippets, pagination, and the rebuild."""

from __future__ import annotations

from datetime import datetime

import pytest

from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.services import replies, tickets
from helpdesk.services.search import indexing
from helpdesk.services.search.tickets import search
from helpdesk.services.tickets import TicketError, TicketFilter


def ids(user, q, **kw):
    return [h.ticket.id for h in search(user, q, **kw).hits]


@pytest.fixture
def corpus(groups, inbound):
    """Tickets whose words agents typed and did not find."""
    return {
        "error": inbound(subject="Checkout shows error 500", body="It fails at the last step").ticket_id,
        "order": inbound(subject="Order 5521 never arrived", body="Where is it?").ticket_id,
        "lopez": inbound(email="maria@example.com", name="María López", subject="Cambio de dirección",
                         body="Necesito cambiar la dirección").ticket_id,
        "password": inbound(email="kim@example.com", subject="Cannot log in",
                            body="I forgot my password yesterday", group_hint="Billing").ticket_id,
        "chinese": inbound(email="wang@example.com", subject="账户问题", body="我无法重置密码").ticket_id,
        "japanese": inbound(email="sato@example.com", subject="ログインできません", body="パスワードを忘れました").ticket_id,
        "phone": inbound(email="+34600111222", kind="phone", channel="whatsapp", source="whatsapp",
                         subject="Llamada", body="hola").ticket_id,
    }


def test_numbers_in_subjects_and_ticket_numbers_are_found(corpus, make_user):
    agent = make_user(groups=("Support", "Billing"))
    assert ids(agent, "500") == [corpus["error"]]
    assert ids(agent, "5521") == [corpus["order"]]
    assert ids(agent, f"#{corpus['order']}") == [corpus["order"]]
    assert ids(agent, str(corpus["error"]))[0] == corpus["error"]


def test_case_and_accents_are_folded(corpus, make_user):
    agent = make_user(groups=("Support", "Billing"))
    assert ids(agent, "Lopez") == [corpus["lopez"]]
    assert ids(agent, "LÓPEZ direccion") == [corpus["lopez"]]


def test_the_last_word_is_a_prefix_from_three_characters(corpus, make_user):
    agent = make_user(groups=("Support", "Billing"))
    assert ids(agent, "passw") == [corpus["password"]]
    assert ids(agent, "las") == [corpus["error"]]  # "the last step"
    assert ids(agent, "la") == [corpus["lopez"]]  # the word "la", not "last"


def test_a_typo_is_corrected_from_the_tickets_words(corpus, make_user):
    agent = make_user(groups=("Support", "Billing"))
    page = search(agent, "pasword")
    assert [h.ticket.id for h in page.hits] == [corpus["password"]]
    assert page.corrected == "password"


def test_chinese_and_japanese_are_found_by_their_words(corpus, make_user):
    agent = make_user(groups=("Support", "Billing"))
    assert ids(agent, "重置密码") == [corpus["chinese"]]
    assert ids(agent, "パスワード") == [corpus["japanese"]]


def test_customer_details_and_agent_messages_are_searched(corpus, make_user):
    agent = make_user(groups=("Support", "Billing"))
    assert ids(agent, "kim@example.com") == [corpus["password"]]
    assert ids(agent, "34600111222") == [corpus["phone"]]
    ticket = db.session.get(Ticket, corpus["error"])
    replies.add_reply(ticket, agent, body="Escalated to the payments team, zebracorn", internal=True)
    assert ids(agent, "zebracorn") == [corpus["error"]]


def test_field_filters_narrow_the_search(corpus, make_user, groups):
    agent = make_user(groups=("Support", "Billing"))
    tickets.update_ticket(db.session.get(Ticket, corpus["password"]), agent, priority="high", tags=["refund"],
                          status="open", assignee_id=agent.id)
    assert ids(agent, "status:open priority:high group:Billing assignee:me tag:refund password") == [corpus["password"]]
    assert ids(agent, "tag:refund") == [corpus["password"]]
    assert ids(agent, "group:Support password") == []
    assert ids(agent, "customer:lopez") == [corpus["lopez"]]
    assert ids(agent, "customer:lopez 500") == []
    assert ids(agent, "channel:whatsapp") == [corpus["phone"]]
    assert set(ids(agent, f"created>{datetime.now().year - 1}-01-01")) == set(corpus.values())
    assert ids(agent, "created<2000-01-01") == []
    with pytest.raises(TicketError):
        search(agent, "group:Nowhere")
    with pytest.raises(TicketError):
        search(agent, "created>yesterday")


def test_agents_find_only_their_groups_tickets(corpus, make_user):
    support_agent = make_user(groups=("Support",))
    assert ids(support_agent, "password") == []
    assert ids(make_user(role="supervisor", groups=()), "password") == [corpus["password"]]


def test_snippets_highlight_matches_and_escape_customer_text(groups, inbound, make_user):
    ticket_id = inbound(subject="Script", body="<script>alert(1)</script> refund please").ticket_id
    hit = search(make_user(), "refund").hits[0]
    assert hit.ticket.id == ticket_id
    assert "<mark>refund</mark>" in hit.snippet and "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet


def test_ranked_and_paginated_by_cursor(groups, inbound, make_user):
    best = inbound(subject="Refund refund", body="refund").ticket_id
    rest = {inbound(subject=f"Question {n}", body="maybe a refund").ticket_id for n in range(6)}
    agent = make_user()
    page = search(agent, "refund", limit=4)
    assert page.hits[0].ticket.id == best
    seen = [h.ticket.id for h in page.hits]
    while page.next_cursor:
        page = search(agent, "refund", limit=4, cursor=page.next_cursor)
        seen += [h.ticket.id for h in page.hits]
    assert sorted(seen) == sorted({best} | rest)
    with pytest.raises(TicketError):
        search(agent, "refund", cursor="forged")


def test_the_list_filter_narrows_the_search(corpus, make_user):
    agent = make_user(groups=("Support", "Billing"))
    assert ids(agent, "password", base=TicketFilter(view="all", channel="whatsapp")) == []


def test_rebuild_indexes_every_ticket(corpus, make_user):
    db.session.execute(db.text("DELETE FROM ticket_search_docs"))
    db.session.commit()
    agent = make_user(groups=("Support", "Billing"))
    assert ids(agent, "5521") == []
    seen = []
    assert indexing.rebuild(batch=3, progress=seen.append) == len(corpus)
    assert sum(seen) == len(corpus)
    assert ids(agent, "5521") == [corpus["order"]]


def test_filters_alone_page_like_the_ticket_list(groups, inbound, make_user):
    expected = {inbound(channel="whatsapp", source="whatsapp", kind="phone", email=f"+3460000000{n}").ticket_id
                for n in range(5)}
    inbound(subject="Not on WhatsApp")
    agent = make_user()
    page, seen = search(agent, "channel:whatsapp", limit=2), []
    seen += [h.ticket.id for h in page.hits]
    while page.next_cursor:
        page = search(agent, "channel:whatsapp", limit=2, cursor=page.next_cursor)
        seen += [h.ticket.id for h in page.hits]
    assert seen == sorted(expected, reverse=True)
