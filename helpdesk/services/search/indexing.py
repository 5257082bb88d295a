"""Keeping the ticket search index current: the searchable row of a ticket, and a full rebuild.

Triggers (migrations d9f3b5a7c124, e2b4d6f8a1c3) note every ticket whose subject, customer (or the
customer's name and addresses), messages or tags change in `ticket_fts_queue`, inside the changing
transaction, so no change is ever missed and ingestion pays one tiny insert. `drain` indexes the noted tickets in batches: after committed
changes (a job, `helpdesk.jobs.search`, so a busy inbox is indexed a batch at a time and never
waits for it) and before every search, so a search sees every committed change.
The engines' own structures follow `ticket_search_docs` by triggers: FTS5's table on SQLite, the
vector on PostgreSQL (which gets only a new message's words when nothing else changed, migration
b6d8f0a2c4e7).
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter

from sqlalchemy import bindparam, delete, insert, select, text, update

from helpdesk.extensions import db
from helpdesk.models import Ticket, TicketSearchDoc, TicketSearchTerm
from helpdesk.services.transactions import begin_write, commit_keeping_objects, reading_connection
from knowledge_base.indexing import add_terms
from knowledge_base.text import cjk_grams, strip_markers

BODY_LIMIT = 50_000  # characters of a ticket's messages that are searchable


def _people(ticket_id: int, customer_name: str, addresses: list[str], tags: list[str]) -> str:
    # A phone number is also found without its punctuation: "+34 600-111-222" by 34600111222.
    digits = [d for d in ("".join(filter(str.isdigit, a)) for a in addresses) if len(d) >= 6]
    return " ".join([str(ticket_id), customer_name, *addresses, *digits, *tags])


_IDS = bindparam("ids", expanding=True)
_D = TicketSearchDoc.__table__
_COLUMNS = ("subject", "people", "body", "grams")
_TEXT = itemgetter(*_COLUMNS)  # a row's searchable columns as a tuple, in _COLUMNS order
_UPDATE = update(_D).where(_D.c.id == bindparam("row_id"))
# What a drain reads, as the driver's own SQL, `{ids}` standing for one IN list: compiling 500 bound
# names per statement and building ORM-style rows cost more than the queries themselves.
# Tickets and their customers' names are read apart: joined, PostgreSQL hashed every customer for
# each batch (25 ms at 60,000 customers, growing with them) instead of looking up a few hundred.
_TICKETS = "SELECT id, subject, customer_id FROM tickets WHERE id IN ({ids}) ORDER BY id"
_NAMES = "SELECT id, name FROM customers WHERE id IN ({ids})"
_ADDRESSES = "SELECT customer_id, address FROM identities WHERE customer_id IN ({ids})"
_TAGS = "SELECT ticket_id, name FROM ticket_tags WHERE ticket_id IN ({ids})"
_BODIES = "SELECT ticket_id, body_text FROM messages WHERE ticket_id IN ({ids}) ORDER BY id"
_OLD_ROWS = f"SELECT id, {', '.join(_COLUMNS)} FROM ticket_search_docs WHERE id IN ({{ids}})"


def _fetch(sql: str, ids: list[int]) -> list[tuple]:
    """The rows of `sql` for `ids`, on the session's connection (its transaction; no autoflush)."""
    if not ids:
        return []
    connection = db.session.connection()
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    return connection.exec_driver_sql(sql.format(ids=", ".join([marker] * len(ids))), tuple(ids)).fetchall()


def documents(ticket_ids: list[int]) -> list[dict]:
    """The `ticket_search_docs` rows of `ticket_ids` (tickets that no longer exist are left out)."""
    if not ticket_ids:
        return []
    tickets = _fetch(_TICKETS, ticket_ids)
    customer_ids = sorted({t[2] for t in tickets})
    names = dict(_fetch(_NAMES, customer_ids))
    addresses: dict[int, list[str]] = {}
    for customer_id, address in _fetch(_ADDRESSES, customer_ids):
        addresses.setdefault(customer_id, []).append(address)
    tags: dict[int, list[str]] = {}
    for ticket_id, name in _fetch(_TAGS, ticket_ids):
        tags.setdefault(ticket_id, []).append(name)
    bodies: dict[int, list[str]] = {}
    for ticket_id, body_text in _fetch(_BODIES, ticket_ids):
        bodies.setdefault(ticket_id, []).append(body_text or "")
    rows = []
    for ticket_id, subject, customer_id in tickets:
        name = names.get(customer_id)
        subject = strip_markers(subject or "")
        body = strip_markers("\n".join(bodies.get(ticket_id, []))[:BODY_LIMIT])
        rows.append({"id": ticket_id, "subject": subject, "body": body, "grams": cjk_grams(f"{subject} {body}"),
                     "people": strip_markers(_people(ticket_id, name or "", addresses.get(customer_id, []),
                                                     tags.get(ticket_id, [])))})
    return rows


def _write(rows: list[dict], new_text: list[str] | None = None) -> None:
    """Insert `rows`; the vocabulary gets `new_text`'s words (every row's text when None)."""
    # Core statements on the table: the ORM's bulk insert cost more than the rows' own values.
    if rows:
        db.session.execute(insert(_D), rows)
    if new_text is None:
        new_text = [f"{r['subject']} {r['people']} {r['body']}" for r in rows]
    add_terms(new_text, model=TicketSearchTerm)


def _continues_word(old: str, new: str) -> bool:
    # True when `new`'s first character joins `old`'s last word ("abc" + "def"): then that
    # word is a new one, and `old`'s words do not tell which of `new`'s words are known.
    return bool(old and new and old[-1].isalnum() and new[0].isalnum())


def _unseen_text(old: tuple | None, row: dict) -> str:
    """The part of `row`'s text whose words may not be in the vocabulary yet: every word of an
    indexed document is (added when it was written, removed by a purge only when no document holds
    it, refilled by a rebuild), so an unchanged column adds nothing and a body that grew by a
    message adds only the message's words."""
    if old is None:
        return f"{row['subject']} {row['people']} {row['body']}"
    parts = [row[c] for c, before in zip(("subject", "people"), old[:2], strict=True) if row[c] != before]
    body, before = row["body"], old[2]
    if body.startswith(before) and not _continues_word(before, body[len(before):]):
        parts.append(body[len(before):])
    else:
        parts.append(body)
    return " ".join(parts)


def reindex(ticket_ids: list[int]) -> None:
    """Replace the searchable rows of `ticket_ids` with their current state (in the caller's transaction).

    A row whose text did not change is left as it is (the engines' structures would only delete
    and re-add the same words); the vocabulary gets the words of what is new."""
    db.session.flush()  # the reads below go past the ORM: the caller's pending changes must be in the rows
    old = {r[0]: tuple(r[1:]) for r in _fetch(_OLD_ROWS, ticket_ids)}
    rows = documents(ticket_ids)
    changed = [r for r in rows if old.get(r["id"]) != _TEXT(r)]
    gone = sorted(old.keys() - {r["id"] for r in rows})  # tickets deleted since they were noted
    if gone:
        db.session.execute(delete(_D).where(_D.c.id.in_(_IDS)), {"ids": gone})
    # Rows that exist are updated in id order, then new ones inserted, newest last: FTS5 writes a
    # delete and an insert of the same row, and rising ids, into one segment, where deleting every
    # changed row first and then inserting started a second one per batch.
    updated = [r for r in changed if r["id"] in old]
    if updated:
        db.session.execute(_UPDATE, [{"row_id": r["id"], **{c: r[c] for c in _COLUMNS}} for r in updated])
    _write([r for r in changed if r["id"] not in old], [_unseen_text(old.get(r["id"]), r) for r in changed])


def drain(batch: int = 500) -> int:
    """Index the tickets the triggers noted (all of them, `batch` at a time), committing each batch;
    returns how many were indexed. Concurrent drains never take the same ticket."""
    lock = " FOR UPDATE SKIP LOCKED" if db.session.get_bind().dialect.name == "postgresql" else ""
    count = 0
    # Nothing changed: no write transaction (a search drains first, every time). Asked on a
    # connection of its own: a read begun in the caller's session would pin its snapshot, and
    # the caller (a job run inline, a request) would no longer see its own later commits' effects.
    with reading_connection() as connection:
        if connection.execute(text("SELECT 1 FROM ticket_fts_queue LIMIT 1")).scalar() is None:
            return 0
    while True:
        begin_write()
        ids = list(db.session.scalars(text(
            f"DELETE FROM ticket_fts_queue WHERE ticket_id IN (SELECT ticket_id FROM ticket_fts_queue "
            f"ORDER BY ticket_id LIMIT :batch{lock}) RETURNING ticket_id"), {"batch": batch}))
        if ids:
            reindex(ids)
        commit_keeping_objects()
        count += len(ids)
        if len(ids) < batch:
            return count


def rebuild(batch: int = 1000, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the whole index from the tickets; returns how many were indexed. Commits each batch."""
    db.session.execute(delete(TicketSearchDoc))
    db.session.execute(delete(TicketSearchTerm))
    db.session.execute(text("DELETE FROM ticket_fts_queue"))  # every ticket is indexed below
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
    if db.session.get_bind().dialect.name == "sqlite":
        # A bulk fill leaves FTS5 segments to merge, and the next writes would merge them a piece
        # at a time: re-indexing 1,050 tickets cost three times the CPU until this was done.
        db.session.execute(text("INSERT INTO ticket_fts(ticket_fts) VALUES ('optimize')"))
        db.session.commit()
    return count


def ticket_count() -> int:
    """How many tickets exist (the progress bar's length)."""
    return db.session.scalar(select(db.func.count(Ticket.id))) or 0
