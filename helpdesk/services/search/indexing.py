"""Keeping the ticket search index current: the searchable row of a ticket, and a full rebuild.

`init_app` subscribes `on_change` to the domain events, so a ticket is indexed right after each
committed change to it (ingestion, a reply, a note, tags, a merge), whoever made it; a failure there
never fails the change (the next change or `helpdesk search reindex` puts it right). The engines'
own structures follow `ticket_search_docs` by trigger (SQLite) or generated column (PostgreSQL).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import delete, insert, select

from helpdesk.extensions import db
from helpdesk.models import Customer, Identity, Message, Ticket, TicketSearchDoc, TicketSearchTerm, TicketTag
from helpdesk.services import events
from helpdesk.services.transactions import begin_write, commit_keeping_objects
from knowledge_base.indexing import add_terms
from knowledge_base.text import cjk_grams, strip_markers

log = logging.getLogger(__name__)
BODY_LIMIT = 50_000  # characters of a ticket's messages that are searchable
# Ticket changes that alter what is indexed (status, group and the like are read from the ticket row).
INDEXED_CHANGES = {"subject", "tags", "customer_id", "merged_into", "merged_from"}


def _people(ticket_id: int, customer_name: str, addresses: list[str], tags: list[str]) -> str:
    # A phone number is also found without its punctuation: "+34 600-111-222" by 34600111222.
    digits = ["".join(c for c in a if c.isdigit()) for a in addresses if sum(c.isdigit() for c in a) >= 6]
    return " ".join([str(ticket_id), customer_name, *addresses, *digits, *tags])


def documents(ticket_ids: list[int]) -> list[dict]:
    """The `ticket_search_docs` rows of `ticket_ids` (tickets that no longer exist are left out)."""
    if not ticket_ids:
        return []
    tickets = db.session.execute(
        select(Ticket.id, Ticket.subject, Ticket.customer_id, Customer.name)
        .join(Customer, Customer.id == Ticket.customer_id).where(Ticket.id.in_(ticket_ids))).all()
    customer_ids = {t.customer_id for t in tickets}
    addresses: dict[int, list[str]] = {}
    for row in db.session.execute(select(Identity.customer_id, Identity.address)
                                  .where(Identity.customer_id.in_(customer_ids))):
        addresses.setdefault(row.customer_id, []).append(row.address)
    tags: dict[int, list[str]] = {}
    for row in db.session.execute(select(TicketTag.ticket_id, TicketTag.name).where(TicketTag.ticket_id.in_(ticket_ids))):
        tags.setdefault(row.ticket_id, []).append(row.name)
    bodies: dict[int, list[str]] = {}
    for row in db.session.execute(select(Message.ticket_id, Message.body_text)
                                  .where(Message.ticket_id.in_(ticket_ids)).order_by(Message.id)):
        bodies.setdefault(row.ticket_id, []).append(row.body_text or "")
    rows = []
    for t in tickets:
        subject = strip_markers(t.subject or "")
        body = strip_markers("\n".join(bodies.get(t.id, []))[:BODY_LIMIT])
        rows.append({"id": t.id, "subject": subject, "body": body, "grams": cjk_grams(f"{subject} {body}"),
                     "people": strip_markers(_people(t.id, t.name or "", addresses.get(t.customer_id, []),
                                                     tags.get(t.id, [])))})
    return rows


def _write(rows: list[dict]) -> None:
    if rows:
        db.session.execute(insert(TicketSearchDoc), rows)
        add_terms((f"{r['subject']} {r['people']} {r['body']}" for r in rows), model=TicketSearchTerm)


def reindex(ticket_ids: list[int]) -> None:
    """Replace the searchable rows of `ticket_ids` with their current state (in the caller's transaction)."""
    db.session.execute(delete(TicketSearchDoc).where(TicketSearchDoc.id.in_(ticket_ids)))
    _write(documents(ticket_ids))


def on_change(sender, payload: dict) -> None:
    """Domain-event subscriber: index the changed ticket and commit (a merge sends one event per ticket)."""
    if sender == events.ticket_updated.name and not INDEXED_CHANGES & set(payload.get("changes") or ()):
        return
    ids = [payload["ticket_id"]]
    try:
        begin_write()
        reindex(ids)
        commit_keeping_objects()
    except Exception:  # the change itself is committed; the index catches up at the next one
        db.session.rollback()
        log.exception("search index update failed for tickets %s", ids)


def init_app(app) -> None:
    """Subscribe the index to ticket and message events (both kinds of app: mail listeners ingest too)."""
    for signal in (events.ticket_created, events.ticket_updated, events.message_created, events.message_updated):
        signal.connect(on_change, weak=False)


def rebuild(batch: int = 1000, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the whole index from the tickets; returns how many were indexed. Commits each batch."""
    db.session.execute(delete(TicketSearchDoc))
    db.session.execute(delete(TicketSearchTerm))
    db.session.commit()
    count, last_id = 0, 0
    while True:
        ids = list(db.session.scalars(select(Ticket.id).where(Ticket.id > last_id).order_by(Ticket.id).limit(batch)))
        if not ids:
            break
        _write(documents(ids))
        db.session.commit()
        count += len(ids)
        last_id = ids[-1]
        if progress:
            progress(len(ids))
    return count


def ticket_count() -> int:
    """How many tickets exist (the progress bar's length)."""
    return db.session.scalar(select(db.func.count(Ticket.id))) or 0
