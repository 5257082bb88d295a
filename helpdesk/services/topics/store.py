"""Writing a refit's topic assignments: one statement per batch of tickets, whatever their number.

On PostgreSQL every statement is a round trip to a server that may be busy: the batch goes as three
arrays in one `INSERT ... SELECT FROM unnest(...) ON CONFLICT` (deleting and re-inserting 5,000 rows by
id list, with the inserts split into many VALUES statements, took 87.6 s for 200,000 tickets). SQLite
has no round trip; there the same upsert runs as an executemany inside the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, text
from sqlalchemy.dialects import sqlite

from helpdesk.extensions import db
from helpdesk.models import TicketTopic

_UPSERT_PG = text(
    "INSERT INTO ticket_topics (ticket_id, topic_id, score, model_id, assigned_at) "
    "SELECT t, p, s, :model_id, :now FROM unnest(CAST(:tickets AS integer[]), CAST(:topics AS integer[]), "
    "CAST(:scores AS double precision[])) AS u(t, p, s) "
    "ON CONFLICT (ticket_id) DO UPDATE SET topic_id = excluded.topic_id, score = excluded.score, "
    "model_id = excluded.model_id, assigned_at = excluded.assigned_at")
_DELETE_PG = text("DELETE FROM ticket_topics WHERE ticket_id = ANY(CAST(:tickets AS integer[]))")
_insert = sqlite.insert(TicketTopic.__table__)
_UPSERT_SQLITE = _insert.on_conflict_do_update(
    index_elements=["ticket_id"],
    set_={c: _insert.excluded[c] for c in ("topic_id", "score", "model_id", "assigned_at")})


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def assignments(tickets: list[int], topics: list[int], scores: list[float], model_id: int, now: datetime) -> None:
    """In the caller's transaction: ticket `tickets[i]` has topic `topics[i]` with `scores[i]`
    (replacing what it had), from model `model_id`."""
    if not tickets:
        return
    if _postgresql():
        db.session.execute(_UPSERT_PG, {"tickets": tickets, "topics": topics, "scores": scores,
                                        "model_id": model_id, "now": now})
        return
    db.session.execute(_UPSERT_SQLITE, [
        {"ticket_id": t, "topic_id": p, "score": s, "model_id": model_id, "assigned_at": now}
        for t, p, s in zip(tickets, topics, scores, strict=True)])


def unassign(tickets: list[int]) -> None:
    """In the caller's transaction: `tickets` have no topic any more."""
    if not tickets:
        return
    if _postgresql():
        db.session.execute(_DELETE_PG, {"tickets": tickets})
    else:
        db.session.execute(delete(TicketTopic).where(TicketTopic.ticket_id.in_(bindparam("ids", expanding=True))),
                           {"ids": tickets})
