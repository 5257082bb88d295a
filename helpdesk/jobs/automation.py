"""Automation jobs: triggers from committed domain events (a job per event that some active
trigger listens to, none otherwise), outbound webhook deliveries with their retries, and the
time-based automations every five minutes."""

from __future__ import annotations

import logging

from flask import Flask, has_app_context
from huey import crontab

from helpdesk.extensions import db
from helpdesk.jobs.queue import huey
from helpdesk.services import events
from helpdesk.services.automation import runner, timed, triggers, webhooks

_app: Flask | None = None
logger = logging.getLogger(__name__)
SOURCES = ("ticket.created", "ticket.updated", "message.created", "sla.warning", "sla.breached", "survey.answered")


def init_app(app: Flask) -> None:
    """Subscribe to the events triggers may act on."""
    global _app
    _app = app
    for name in SOURCES:
        events.EVENTS[name].connect(_on_event, weak=False)
    init_webhooks(app)


def _checked(check, event: str):
    """`check(event)` in this app's context (an event may be published outside one, as in tests)."""
    if has_app_context():
        return check(event)
    with _app.app_context():
        return check(event)


def _on_event(name: str, payload: dict) -> None:
    if runner.is_acting():
        return  # a trigger's own change or reply: no trigger fires twice, nothing loops
    found = runner.trigger_event(name, payload)
    if found is not None and _checked(triggers.may_have, found[0]):
        run_triggers(found[0], found[1], payload)


@huey.task()
def run_triggers(event: str, key: str, payload: dict) -> list[int]:
    """Run the triggers of `event` (`key`: this occurrence) for the payload's ticket."""
    with _app.app_context():
        return runner.run(event, key, payload)


WEBHOOK_SOURCES = ("ticket.created", "ticket.updated", "message.created", "sla.warning", "sla.breached",
                   "survey.answered")


def init_webhooks(app: Flask) -> None:
    """Subscribe outbound webhooks to the events endpoints may subscribe to, and send each queued
    delivery by a job."""
    for name in WEBHOOK_SOURCES:
        events.EVENTS[name].connect(_on_webhook_event, weak=False)
    events.webhook_queued.connect(_on_delivery_queued, weak=False)


def _on_webhook_event(name: str, payload: dict) -> None:
    if not _checked(webhooks.subscribed, name):  # on a connection of its own: most installations have none
        return
    # Staged here, as the event is published after its commit, not by a job of its own: two jobs
    # could stage one ticket's created and updated the wrong way round, and the staging order is
    # the order its deliveries go out in. Sending is a job per delivery all the same.
    if not _checked(lambda event: _stage_now(event, payload), name):
        queue_webhooks(name, payload)


def _stage_now(event: str, payload: dict) -> bool:
    try:
        webhooks.queue(event, payload)
        return True
    except Exception:  # noqa: BLE001 - the publisher's change is committed: a job stages it instead
        db.session.rollback()
        logger.exception("staging the %s webhook deliveries failed; a job will", event)
        return False


def _on_delivery_queued(name: str, payload: dict) -> None:
    deliver_webhook(payload["delivery_id"])


@huey.task()
def queue_webhooks(event: str, payload: dict) -> int:
    """Stage a delivery of `event` for each subscribed endpoint; how many."""
    with _app.app_context():
        return len(webhooks.queue(event, payload))


@huey.task()
def deliver_webhook(delivery_id: int) -> str:
    """Send one delivery; schedule the next try after a retryable failure."""
    with _app.app_context():
        delay = webhooks.deliver(delivery_id)
    if delay:
        deliver_webhook.schedule((delivery_id,), delay=delay)
        return f"retry in {delay}s"
    return "done"


@huey.periodic_task(crontab(minute="*/5"))
def run_automations() -> dict:
    """Time-based automations, every five minutes."""
    with _app.app_context():
        return timed.run_all()
