"""Recomputing every open ticket's clocks after a calendar or policy changed, with progress.

A settings change records a queued `SlaRecompute` row (services.sla.config) and the jobs subscriber runs `run(id)` in
the background. The run walks the open tickets in id order, a batch per transaction, and writes its
progress on the row (the admin page polls it). A newer recomputation supersedes an older one: the
older stops at its next batch, since the newer covers every ticket with the newest settings.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import SlaRecompute, Ticket
from helpdesk.models.base import utcnow
from helpdesk.models.tickets import OPEN_STATUSES
from helpdesk.services import events
from helpdesk.services.sla import clocks as sla_clocks

BATCH = 500


def latest() -> SlaRecompute | None:
    """The most recent recomputation, if any."""
    return db.session.scalar(select(SlaRecompute).order_by(SlaRecompute.id.desc()).limit(1))


def _superseded(recompute_id: int) -> bool:
    return db.session.scalar(select(func.count()).select_from(SlaRecompute).where(SlaRecompute.id > recompute_id)) > 0


def _open_ids_after(last_id: int, limit: int) -> list[int]:
    query = select(Ticket.id).where(Ticket.status.in_(OPEN_STATUSES), Ticket.id > last_id)
    return list(db.session.scalars(query.order_by(Ticket.id).limit(limit)))


def _finish(row: SlaRecompute, state: str) -> None:
    row.state, row.finished_at = state, utcnow()
    payload = {"recompute_id": row.id, "state": state, "done": row.done, "total": row.total}
    db.session.commit()
    events.publish("sla.recomputed", payload)


def run(recompute_id: int, *, now: datetime | None = None, batch: int = BATCH) -> SlaRecompute | None:
    """Recompute every open ticket for the recomputation `recompute_id`; returns its row (None if unknown)."""
    row = db.session.get(SlaRecompute, recompute_id)
    if row is None or row.state not in ("queued", "running"):
        return row
    if _superseded(recompute_id):
        _finish(row, "superseded")
        return row
    row.state, row.started_at, row.done = "running", utcnow(), 0
    row.total = db.session.scalar(select(func.count()).select_from(Ticket).where(Ticket.status.in_(OPEN_STATUSES)))
    db.session.commit()
    last_id = 0
    try:
        while ids := _open_ids_after(last_id, batch):
            sla_clocks.refresh(ids, now)
            last_id = ids[-1]
            row = db.session.get(SlaRecompute, recompute_id)
            row.done += len(ids)
            db.session.commit()
            if _superseded(recompute_id):
                _finish(row, "superseded")
                return row
    except Exception as exc:
        db.session.rollback()
        row = db.session.get(SlaRecompute, recompute_id)
        row.error = f"{exc.__class__.__name__}: {exc}"[:1000]
        _finish(row, "failed")
        raise
    _finish(row, "done")
    return row


def forgotten(older_than: timedelta = timedelta(minutes=2)) -> list[int]:
    """Queued recomputations whose job never started (lost with a crashed process): run them again."""
    limit = utcnow() - older_than
    query = select(SlaRecompute.id).where(SlaRecompute.state == "queued", SlaRecompute.created_at < limit)
    return list(db.session.scalars(query.order_by(SlaRecompute.id)))
