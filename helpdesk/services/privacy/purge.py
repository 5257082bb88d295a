"""What erasure and retention must also clear beyond the rows they change: the ticket search
index (rows, the word list typos are corrected towards, and the engines' segments, which keep a
deleted entry's words until they are merged), freed database pages, and the help center's
activity of the visitor who opened a ticket."""

from __future__ import annotations

import logging
import re

from sqlalchemy import delete, select, text

from helpdesk.extensions import db
from helpdesk.models import TicketSearchDoc, TicketSearchTerm
from helpdesk.services.privacy.scrub import REDACTED
from helpdesk.services.search import indexing
from knowledge_base.models import KbDeflection, KbSearch, KbView, KbVote
from knowledge_base.text import vocabulary

log = logging.getLogger(__name__)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def words_of(ticket_ids: list[int]) -> set[str]:
    """The words the search index holds for these tickets now (before they change)."""
    words: set[str] = set()
    for start in range(0, len(ticket_ids), 500):
        for row in db.session.execute(select(TicketSearchDoc.subject, TicketSearchDoc.people, TicketSearchDoc.body)
                                      .where(TicketSearchDoc.id.in_(ticket_ids[start:start + 500]))):
            words |= vocabulary(f"{row.subject} {row.people} {row.body}")
    return words


def _still_indexed(word: str) -> bool:
    if _dialect() == "postgresql":
        query = text("SELECT 1 FROM ticket_search_docs WHERE ticket_fts_document @@ plainto_tsquery('kb_simple', :w) "
                     "LIMIT 1")
    else:
        query = text("SELECT 1 FROM ticket_fts WHERE ticket_fts MATCH :w LIMIT 1")
        word = '"' + word.replace('"', '""') + '"'
    return db.session.execute(query, {"w": word}).first() is not None


def _not_indexed(words: set[str]) -> set[str]:
    """The `words` no indexed ticket holds (PostgreSQL: one statement per 500 words, each word an
    index lookup on the server; a query per word cost ~10 ms of round trip each)."""
    if _dialect() != "postgresql":
        return {w for w in words if not _still_indexed(w)}
    found: set[str] = set()
    ordered = sorted(words)
    query = text("SELECT w FROM unnest(CAST(:words AS text[])) AS w WHERE NOT EXISTS (SELECT 1 FROM ticket_search_docs d "
                 "WHERE d.ticket_fts_document @@ plainto_tsquery('kb_simple', w))")
    for start in range(0, len(ordered), 500):
        found.update(db.session.scalars(query, {"words": ordered[start:start + 500]}))
    return found


def reindex(ticket_ids: list[int], words: set[str]) -> int:
    """Re-index the changed tickets now (in the caller's transaction) and drop from the word list
    the `words` no indexed ticket holds any more; returns how many words were dropped."""
    for start in range(0, len(ticket_ids), 500):
        batch = ticket_ids[start:start + 500]
        indexing.reindex(batch)
        db.session.execute(text("DELETE FROM ticket_fts_queue WHERE ticket_id IN :ids")
                           .bindparams(db.bindparam("ids", expanding=True)), {"ids": batch})
    gone = sorted(_not_indexed(words))
    for start in range(0, len(gone), 500):
        db.session.execute(delete(TicketSearchTerm).where(TicketSearchTerm.term.in_(gone[start:start + 500])))
    return len(gone)


def topic_words_of(ticket_ids: list[int]) -> set[str]:
    """The words the topic model reads in these tickets now (before they change)."""
    from helpdesk.models import Message, Ticket
    from helpdesk.services.topics import text as topic_text

    found: set[str] = set()
    for ticket in db.session.execute(select(Ticket.id, Ticket.subject).where(Ticket.id.in_(ticket_ids))):
        first = db.session.scalar(select(Message.body_text).where(Message.ticket_id == ticket.id, Message.kind == "inbound")
                                  .order_by(Message.id).limit(1))
        found.update(topic_text.words(ticket.subject, first or ""))
    return found


def forget_topic_words(candidates: set[str]) -> int:
    """Replace, in the fitted topic models' vocabularies and the topics' labels and top words,
    the `candidates` no indexed ticket holds any more (a word only the erased tickets had);
    returns how many words went. The model keeps its shape: a replaced word just never matches."""
    from helpdesk.models import Topic, TopicModel

    models = list(db.session.scalars(select(TopicModel)))
    known = {w for m in models for w in (m.words or [])} | {w for t in db.session.scalars(select(Topic))
                                                          for w in (t.terms or {})}
    gone = _not_indexed(candidates & known)
    if not gone:
        return 0
    for model in models:
        if gone & set(model.words or []):
            model.words = [REDACTED if w in gone else w for w in model.words]
    for topic in db.session.scalars(select(Topic)):
        if gone & set(topic.terms or {}):
            topic.terms = {w: v for w, v in topic.terms.items() if w not in gone}
        words = re.findall(r"\w+|\W+", topic.label or "")
        if gone & {w.lower() for w in words}:
            topic.label = "".join(REDACTED if w.lower() in gone else w for w in words)
    return len(gone)


def forget_visitors(ticket_ids: list[int]) -> int:
    """Delete the help center activity (searches, views, votes, the deflection) of the visitors
    who opened these tickets; returns how many visitors."""
    if not ticket_ids:
        return 0
    visitors = list(db.session.scalars(select(KbDeflection.visitor).where(KbDeflection.ticket_id.in_(ticket_ids))))
    if visitors:
        for model in (KbSearch, KbView, KbVote, KbDeflection):
            db.session.execute(delete(model).where(model.visitor.in_(visitors)))
    return len(visitors)


def secure_delete(on: bool) -> None:
    """SQLite: overwrite freed pages with zeros while erasing (deleted text leaves no trace in the file)."""
    if _dialect() == "sqlite":
        db.session.connection().exec_driver_sql(f"PRAGMA secure_delete={'ON' if on else 'OFF'}")


def compact() -> None:
    """After an erasure's commit: merge the engines' index segments so no deleted word survives in
    them, and (SQLite) move the write-ahead log into the file; (PostgreSQL) vacuum the tables
    that held the text, so dead row versions go. Failures are logged: the rows are gone already."""
    try:
        if _dialect() == "sqlite":
            connection = db.session.connection()
            connection.exec_driver_sql("PRAGMA secure_delete=ON")
            for table in ("ticket_fts", "ticket_fts_terms"):
                connection.exec_driver_sql(f"INSERT INTO {table}({table}) VALUES('optimize')")
            db.session.commit()
            db.session.connection().exec_driver_sql("PRAGMA secure_delete=OFF")
            db.session.commit()
            db.session.connection().exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            db.session.commit()
        else:
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                for table in ("messages", "tickets", "customers", "identities", "ticket_events", "audit_entries",
                              "ticket_search_docs", "ticket_search_terms", "attachments", "surveys", "notifications"):
                    connection.exec_driver_sql(f"VACUUM {table}")
    except Exception:  # noqa: BLE001
        log.exception("compacting after an erasure failed")
