"""Fixtures for the SLA engine inside the application: a settable clock and policy factories."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.services.sla import config as sla_config

T0 = datetime(2026, 3, 2, 9, 0)  # a Monday, naive UTC as stored
MIN = timedelta(minutes=1)
H = timedelta(hours=1)
CLOCKED = ("helpdesk.services.tickets", "helpdesk.services.replies", "helpdesk.services.ingest",
           "helpdesk.services.sla.clocks", "helpdesk.services.sla.scan", "helpdesk.services.sla.config",
           "helpdesk.services.sla.recompute")


class Clock:
    """The application's notion of now, moved by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def at(self, moment: datetime) -> Clock:
        self.now = moment
        return self

    def advance(self, delta: timedelta) -> datetime:
        self.now += delta
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """Every service that stamps times reads this clock; it starts at T0."""
    import importlib

    fake = Clock(T0)
    for name in CLOCKED:
        monkeypatch.setattr(importlib.import_module(name), "utcnow", fake)
    return fake


def calendar_time(first: int | None = 3600, resolution: int | None = 8 * 3600, next_response: int | None = None,
                  pauses=("pending",), fraction: float = 0.8) -> list[dict]:
    """Targets in calendar time (seconds), the resolution paused by `pauses`."""
    targets = []
    for kind, goal in (("first_response", first), ("next_response", next_response), ("resolution", resolution)):
        if goal:
            targets.append({"kind": kind, "goal_seconds": goal, "business_time": False, "warning_fraction": fraction,
                            "pause_statuses": list(pauses) if kind == "resolution" else []})
    return targets


@pytest.fixture
def policy(app, clock):
    """policy(name, targets=..., **fields) -> a saved SlaPolicyConfig (calendar time by default)."""

    def make(name: str = "Standard", targets: list[dict] | None = None, **fields):
        return sla_config.save_policy(None, name=name, targets=targets or calendar_time(), **fields)

    return make


@pytest.fixture
def ticket_of(app):
    """ticket_of(result) -> the Ticket an ingest result points to, freshly read."""

    def read(result) -> Ticket:
        db.session.rollback()
        return db.session.get(Ticket, result.ticket_id if hasattr(result, "ticket_id") else result)

    return read
