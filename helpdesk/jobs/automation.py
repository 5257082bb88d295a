"""Triggers from committed domain events: a job per event that some active trigger listens to
(none otherwise), which runs them through services.automation.runner."""

from __future__ import annotations

from flask import Flask

from helpdesk.jobs.queue import huey
from helpdesk.services import events
from helpdesk.services.automation import runner, triggers

_app: Flask | None = None
SOURCES = ("ticket.created", "ticket.updated", "message.created", "sla.warning", "sla.breached", "survey.answered")


def init_app(app: Flask) -> None:
    """Subscribe to the events triggers may act on."""
    global _app
    _app = app
    for name in SOURCES:
        events.EVENTS[name].connect(_on_event, weak=False)


def _on_event(name: str, payload: dict) -> None:
    if runner.is_acting():
        return  # a trigger's own change or reply: no trigger fires twice, nothing loops
    found = runner.trigger_event(name, payload)
    if found is not None and triggers.may_have(found[0]):
        run_triggers(found[0], found[1], payload)


@huey.task()
def run_triggers(event: str, key: str, payload: dict) -> list[int]:
    """Run the triggers of `event` (`key`: this occurrence) for the payload's ticket."""
    with _app.app_context():
        return runner.run(event, key, payload)
