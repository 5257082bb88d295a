"""Searching tickets as an agent types: words anywhere in a ticket (subject, every message, the
customer's name and addresses, the number, tags), field filters, best match first.

Words are folded (case, accents), the last one may be a prefix still being typed, numbers match
inside text as well as ticket numbers, Chinese and Japanese runs match as phrases of two-character
pieces, and a misspelt word is corrected from the words the tickets contain, all as the knowledge
base's search does (`knowledge_base.search`). When all words together find nothing, tickets with
any of them are ranked. A user sees exactly the tickets the ticket list shows them. Of a word that
thousands of tickets contain, the newest thousand that pass the filters are ranked.
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass, field

from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Ticket, TicketSearchDoc, TicketSearchTerm, User
from helpdesk.services import tickets
from helpdesk.services.search import engines, indexing
from helpdesk.services.search.query import ParsedQuery, parse
from helpdesk.services.tickets import TicketError, TicketFilter
from knowledge_base import search as kb_search
from knowledge_base.engines import Term
from knowledge_base.text import snippet

log = logging.getLogger(__name__)
MAX_OFFSET = 1000  # pages beyond the first thousand results are never read: narrow the query instead
CANDIDATES = 1000  # matches ranked per search: the newest that pass the filters
# The last word is a prefix from 3 characters: SQLite's index keeps no prefix indexes (migration
# f1a3c5e7b9d2), and a 2-character prefix, which most tickets match, would read every word it starts.
PREFIX_FROM = 3


@dataclass(frozen=True)
class Hit:
    """One found ticket; `subject_html` and `snippet` are escaped HTML with matches in `<mark>`."""

    ticket: Ticket
    score: float
    subject_html: Markup
    snippet: Markup


@dataclass
class SearchPage:
    """A page of hits, best first; `corrected`: the words as searched after typo correction."""

    query: str
    hits: list[Hit] = field(default_factory=list)
    next_cursor: str | None = None
    corrected: str | None = None
    mode: str = "all"  # all words, "any" word, or "filters" when there were no words


def _read_cursor(cursor: str | None) -> dict:
    """The position and the way the first page searched ({"o": offset, "any": bool, "fix": words})."""
    if not cursor:
        return {"o": 0, "any": False, "fix": None}
    try:
        state = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if (isinstance(state.get("o"), int) and 0 < state["o"] <= MAX_OFFSET + 1 and isinstance(state.get("any"), bool)
                and (state.get("fix") is None or isinstance(state["fix"], str))
                and (state.get("list") is None or isinstance(state["list"], str))):
            return state
    except (ValueError, TypeError, AttributeError, json.JSONDecodeError):
        pass
    raise TicketError("cursor", _("is not a cursor this server issued"))


def _cursor(offset: int, any_word: bool, corrected: str | None) -> str | None:
    if offset > MAX_OFFSET:
        return None
    return _encode_state({"o": offset, "any": any_word, "fix": corrected})


def _encode_state(state: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode().rstrip("=")


def _ticket_number(words: str) -> int | None:
    digits = words.lstrip("#")
    return int(digits) if digits.isdigit() and 0 < int(digits) <= tickets.MAX_ID else None


def _rows(user: User, parsed: ParsedQuery, terms: list[Term], customer: list[Term], operator: str,
          offset: int, limit: int) -> list:
    query = tickets.filtered(user, parsed.filter)
    number = _ticket_number(parsed.words)
    if parsed.words.startswith("#") and number is not None:  # "#42": that ticket, not the text "42"
        return list(db.session.execute(query.where(Ticket.id == number).add_columns(Ticket.id.label("score"))))
    # Ranking reads every candidate's text: the newest CANDIDATES matches that pass the filters.
    candidates = engines.candidates(db.session, query, terms, customer, operator, CANDIDATES)
    # The page is cut from the candidates before their tickets are read: 26 rows, not 1,000.
    page = (select(candidates.c.id, candidates.c.score).order_by(*_best_first(candidates, number))
            .offset(offset).limit(limit + 1).subquery("page"))
    query = (select(Ticket, page.c.score).join(page, page.c.id == Ticket.id).order_by(*_best_first(page, number))
             .options(selectinload(Ticket.customer), selectinload(Ticket.tag_rows)))
    return list(db.session.execute(query))


def _best_first(found, number: int | None) -> list:
    """The order of `found` (columns `id`, `score`): a number alone finds that ticket first, then
    the tickets that mention it; then best score, newest first."""
    first = [(found.c.id == number).desc()] if number is not None else []
    return [*first, found.c.score.desc(), found.c.id.desc()]


def _highlight(rows: list, terms: list[Term], customer: list[Term]) -> list[Hit]:
    docs = {d.id: d for d in db.session.scalars(
        select(TicketSearchDoc).where(TicketSearchDoc.id.in_([r[0].id for r in rows])))} if rows else {}
    words = [t.text for t in (*terms, *customer) if not t.chars]
    phrases = [t.text for t in terms if t.chars]
    hits = []
    for ticket, score in rows:
        doc = docs.get(ticket.id)
        text = ""
        if doc is not None:
            text = snippet(doc.body, words, phrases)
            if kb_search.MARK_START not in text:  # the match is in the customer's details or tags
                people = snippet(doc.people, words, phrases)
                text = people if kb_search.MARK_START in people else text
        hits.append(Hit(ticket=ticket, score=float(score or 0),
                        subject_html=kb_search.highlight_html(snippet(ticket.subject, words, phrases, size=100)),
                        snippet=kb_search.highlight_html(text)))
    return hits


def _catch_up() -> None:
    # Tickets changed since the last drain are indexed first, so a search sees every committed
    # change; when that cannot be done now (the database is busy), the search goes on without them.
    try:
        indexing.drain()
    except Exception:  # noqa: BLE001
        db.session.rollback()
        log.warning("search index drain before a search failed", exc_info=True)


def search(user: User, q: str, *, base: TicketFilter | None = None, cursor: str | None = None,
           limit: int = 25) -> SearchPage:
    """One page of the tickets `user` may see that match `q` (words and field filters, see
    `helpdesk.services.search.query`) within `base` (a ticket list's filter; every ticket when None).
    TicketError for a filter that names nothing, a bad cursor or a bad filter value."""
    _catch_up()
    parsed = parse(user, q, base)
    state = _read_cursor(cursor)
    offset = state["o"]
    page = SearchPage(query=q, corrected=state["fix"], mode="any" if state["any"] else "all")
    terms = kb_search.parse(state["fix"] or parsed.words, min_prefix=PREFIX_FROM)
    customer = [t for value in parsed.customer for t in kb_search.parse(value, min_prefix=PREFIX_FROM)]
    if not terms and not customer:
        # Filters alone (a creation-date range too) are a ticket list: its keyset pages, read in
        # index order per group and status.
        page.mode = "filters"
        listed = tickets.list_page(user, parsed.filter, cursor=state.get("list"), limit=limit)
        page.hits = [Hit(ticket=t, score=0.0, subject_html=Markup(escape(t.subject)), snippet=Markup(""))
                     for t in listed.items]
        if listed.next_cursor:
            page.next_cursor = _encode_state({"o": 1, "any": False, "fix": None, "list": listed.next_cursor})
        return page
    rows = _rows(user, parsed, terms, customer, "or" if state["any"] else "and", offset, limit)
    if not rows and offset == 0 and terms:
        corrected = kb_search.correct(terms, vocabulary=TicketSearchTerm)
        if corrected:
            rows = _rows(user, parsed, corrected, customer, "and", offset, limit)
            if rows:
                page.corrected, terms = " ".join(t.text for t in corrected), corrected
        if not rows and len(terms) > 1:
            rows = _rows(user, parsed, terms, customer, "or", offset, limit)
            page.mode = "any"
    if len(rows) > limit:
        page.next_cursor = _cursor(offset + limit, page.mode == "any", page.corrected)
    page.hits = _highlight(rows[:limit], terms, customer)
    return page
