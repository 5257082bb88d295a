"""Call metrics for the reports: per agent, per group, per hour of the day (UTC), and in total.

- offered: calls that rang in the range (by their start);
- answered: of those, the ones someone took; missed: ended (or voicemail) without an answer;
- abandoned: missed because the caller hung up while waiting; abandoned_rate_pct: of offered;
- asa_seconds: average speed of answer (ringing to answer) of the answered calls;
- aht_seconds: average handle time, the PBX's talk duration of the answered calls that ended.

A call still ringing counts as offered only. Per agent, the calls nobody answered make the row
without an agent (key None). Read from the calls table in one pass (indexed by start time).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Call, Group, User
from helpdesk.services.reports.tables import ReportFilter

DIMENSIONS = ("agent", "group", "hour")
METRICS = ("offered", "answered", "missed", "abandoned", "abandoned_rate_pct", "asa_seconds", "aht_seconds")


class _Tally:
    __slots__ = ("offered", "answered", "missed", "abandoned", "wait", "talk", "talked")

    def __init__(self) -> None:
        self.offered = self.answered = self.missed = self.abandoned = self.wait = self.talk = self.talked = 0

    def add(self, started_at, answered_at, talk_seconds, state) -> None:
        self.offered += 1
        if answered_at is not None:
            self.answered += 1
            self.wait += max(0, int((answered_at - started_at).total_seconds()))
            if talk_seconds is not None:
                self.talk += talk_seconds
                self.talked += 1
        elif state in ("missed", "abandoned"):
            self.missed += 1
            self.abandoned += state == "abandoned"

    def row(self) -> dict:
        return {"offered": self.offered, "answered": self.answered, "missed": self.missed, "abandoned": self.abandoned,
                "abandoned_rate_pct": round(100 * self.abandoned / self.offered, 1) if self.offered else None,
                "asa_seconds": round(self.wait / self.answered) if self.answered else None,
                "aht_seconds": round(self.talk / self.talked) if self.talked else None}


def _rows(f: ReportFilter):
    query = select(Call.started_at, Call.answered_at, Call.talk_seconds, Call.state, Call.agent_id, Call.group_id).where(
        Call.started_at >= datetime.combine(f.start, time.min),
        Call.started_at < datetime.combine(f.end + timedelta(days=1), time.min))
    if f.group_id is not None:
        query = query.where(Call.group_id == f.group_id)
    return db.session.execute(query)


def _labels(dimension: str, keys) -> dict:
    ids = [k for k in keys if k is not None]
    if dimension == "hour":
        return {k: f"{k:02d}:00" for k in keys}
    model = User if dimension == "agent" else Group
    names = {i: n for i, n in db.session.execute(select(model.id, model.name).where(model.id.in_(ids)))} if ids else {}
    return {k: names.get(k, f"#{k}") if k is not None else (_("no agent") if dimension == "agent" else _("no group"))
            for k in keys}


def table(dimension: str, f: ReportFilter) -> list[dict]:
    """One row per agent, group or hour of the day (0-23, UTC; every hour listed) with every metric,
    plus its key and label; agents and groups by label, the row without a key last."""
    if dimension not in DIMENSIONS:
        raise ValueError(dimension)
    tallies: dict = defaultdict(_Tally)
    if dimension == "hour":
        for hour in range(24):
            tallies[hour]  # noqa: B018 - every hour of the day gets a row, quiet ones too
    for started_at, answered_at, talk, state, agent_id, group_id in _rows(f):
        key = {"agent": agent_id, "group": group_id, "hour": started_at.hour}[dimension]
        tallies[key].add(started_at, answered_at, talk, state)
    labels = _labels(dimension, list(tallies))
    rows = [{"key": key, "label": labels[key], **tally.row()} for key, tally in tallies.items()]
    if dimension == "hour":
        return sorted(rows, key=lambda r: r["key"])
    return sorted(rows, key=lambda r: (r["key"] is None, r["label"].lower()))


def totals(f: ReportFilter) -> dict:
    """Every metric over all the calls of the range."""
    tally = _Tally()
    for started_at, answered_at, talk, state, _group, _agent in _rows(f):
        tally.add(started_at, answered_at, talk, state)
    return tally.row()
