"""SQLite's two ways to find a search's candidates give the same page: FTS5's matches joined to
`tickets` (the first plan), and the filter-first plan (the matches tested against the ids that pass
narrow filters). Same tickets, scores, order, snippets and pages; the count that picks the plan
gives up past its CPU budget and the search goes on with the first plan."""

from __future__ import annotations

import pytest

from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.services import tickets
from helpdesk.services.search import engines
from helpdesk.services.search import tickets as ticket_search
from helpdesk.services.search.tickets import search

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

JOIN = {"FILTER_FIRST_ROWS": -1, "FILTER_FIRST_CPU": 1.0}  # no count is at most -1
FILTER_FIRST = {"FILTER_FIRST_ROWS": 10**9, "FILTER_FIRST_CPU": 1000.0}


@pytest.fixture
def mailbox(groups, inbound, make_user):
    """Tickets in both groups and several states whose texts rank `refund` differently."""
    agent = make_user(groups=("Support", "Billing"))
    bodies = [
        "refund",
        "refund refund please",
        "a refund for order 77 and a very long story about it " * 3,
        "refunded twice, refund again",
        "wallet refund",
        "nothing to see",
        "wallet only",
    ]
    for n in range(28):
        ticket_id = inbound(
            email=f"c{n % 5}@example.com",
            name=["María López", "Kim", "Ann", "Bo", "Cy"][n % 5],
            subject=f"Question {n}" + (" refund" if n % 4 == 0 else ""),
            body=bodies[n % len(bodies)],
            group_hint="Billing" if n % 3 == 0 else None,
        ).ticket_id
        ticket = db.session.get(Ticket, ticket_id)
        tickets.update_ticket(
            ticket,
            agent,
            status=["open", "pending", "solved", "open"][n % 4],
            priority=["low", "normal", "high", "urgent"][n % 4],
            assignee_id=agent.id if n % 5 == 0 else None,
            tags=["vip"] if n % 6 == 0 else [],
        )
    db.session.commit()
    return agent


def pages(user, q, limit=4):
    """Every page of `q` as (id, score, subject, snippet) rows, following the cursors."""
    page, rows = search(user, q, limit=limit), []
    while True:
        rows.append([(h.ticket.id, h.score, str(h.subject_html), str(h.snippet)) for h in page.hits])
        if not page.next_cursor:
            return rows
        page = search(user, q, limit=limit, cursor=page.next_cursor)


def with_plan(monkeypatch, plan: dict, user, q: str, limit: int = 4):
    for name, value in plan.items():
        monkeypatch.setattr(engines, name, value)
    return pages(user, q, limit)


@pytest.fixture
def filter_first_calls(monkeypatch):
    calls = []
    real = engines._sqlite_filter_first

    def spy(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(engines, "_sqlite_filter_first", spy)
    return calls


QUERIES = [
    "status:open refund",
    "priority:high refund",
    "group:Billing refund",
    "assignee:me refund",
    "status:open,pending wallet refund",
    "status:open refund zzzz",
    "customer:lopez refund",
    "status:open 77",
    "status:open refun",
    "tag:vip refund",
    "tag:none refund",
]


@pytest.mark.parametrize("q", QUERIES)
def test_filter_first_finds_the_same_pages_as_the_join(mailbox, make_user, monkeypatch, filter_first_calls, q):
    supervisor = make_user(role="supervisor", groups=())
    for user in (mailbox, supervisor):
        joined = with_plan(monkeypatch, JOIN, user, q)
        assert not filter_first_calls
        first = with_plan(monkeypatch, FILTER_FIRST, user, q)
        # Filters that pass no ticket search nothing; a supervisor's customer: words filter no
        # ticket column, so every ticket passes and nothing is counted.
        assert filter_first_calls or joined == [[]] or (user is supervisor and q.startswith("customer:"))
        filter_first_calls.clear()
        assert first == joined
    assert sum(len(p) for p in with_plan(monkeypatch, JOIN, mailbox, "status:open refund")) == 12


def test_filter_first_ranks_the_same_newest_candidates(mailbox, monkeypatch, filter_first_calls):
    # Fewer candidates than matches: both plans rank the same newest five that pass.
    monkeypatch.setattr(ticket_search, "CANDIDATES", 5)
    joined = with_plan(monkeypatch, JOIN, mailbox, "status:open refund", limit=3)
    assert [len(p) for p in joined] == [3, 2]
    assert with_plan(monkeypatch, FILTER_FIRST, mailbox, "status:open refund", limit=3) == joined
    assert filter_first_calls
    scores = [row[1] for page in joined for row in page]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) > 1


def test_few_passing_tickets_choose_filter_first_and_no_filter_the_join(mailbox, make_user, filter_first_calls):
    search(mailbox, "status:open refund")
    assert len(filter_first_calls) == 1
    search(make_user(role="supervisor", groups=()), "refund")  # every ticket passes: nothing to count
    assert len(filter_first_calls) == 1


def test_a_count_over_its_budget_falls_back_to_the_join(mailbox, monkeypatch, filter_first_calls):
    expected = with_plan(monkeypatch, JOIN, mailbox, "status:open refund")
    monkeypatch.setattr(engines, "FILTER_FIRST_ROWS", 10**9)
    monkeypatch.setattr(engines, "FILTER_FIRST_CPU", -1.0)  # spent before it starts
    monkeypatch.setattr(engines, "BUDGET_CHECK_STEPS", 1)
    assert pages(mailbox, "status:open refund") == expected
    assert not filter_first_calls
    monkeypatch.setattr(engines, "FILTER_FIRST_CPU", 1000.0)  # the connection still counts afterwards
    assert pages(mailbox, "status:open refund") == expected
    assert filter_first_calls


def test_filters_that_pass_no_ticket_find_nothing_without_reading_the_matches(mailbox, make_user, filter_first_calls):
    supervisor = make_user(role="supervisor", groups=())
    assert pages(supervisor, "assignee:me refund") == [[]]
    assert pages(make_user(groups=("Support",)), "group:Billing refund") == [[]]
    assert not filter_first_calls
    assert pages(mailbox, "status:closed refund") == [[]]  # no closed ticket in the mailbox
    assert pages(mailbox, "tag:vip refund") != [[]] and filter_first_calls
