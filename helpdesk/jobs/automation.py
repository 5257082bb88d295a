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
        # Batch subscribers: one check and one job for a whole `publish_many` (an SLA scan's 5,000
        # crossings were 9,000 reads and 4,500 jobs, 7 of the scan's 10.5 CPU seconds).
        events.EVENTS[name].connect_batch(_on_events)
    init_webhooks(app)


def _checked(check, event: str):
    """`check(event)` in this app's context (an event may be published outside one, as in tests)."""
    if has_app_context():
        return check(event)
    with _app.app_context():
        return check(event)


def _on_events(name: str, payloads: list[dict]) -> None:
    if runner.is_acting():
        return  # a trigger's own change or reply: no trigger fires twice, nothing loops
    by_event: dict[str, list] = {}
    for payload in payloads:
        if (found := runner.trigger_event(name, payload)) is not None:
            by_event.setdefault(found[0], []).append([found[1], payload])
    for event, occurrences in by_event.items():
        if not _checked(triggers.may_have, event):
            continue
        if len(occurrences) == 1:
            run_triggers(event, *occurrences[0])
        else:
            run_triggers_many(event, occurrences)


@huey.task()
def run_triggers(event: str, key: str, payload: dict) -> list[int]:
    """Run the triggers of `event` (`key`: this occurrence) for the payload's ticket."""
    with _app.app_context():
        return runner.run(event, key, payload)


@huey.task()
def run_triggers_many(event: str, occurrences: list) -> list[int]:
    """`run_triggers` for each [key, payload] of one burst of `event`; one occurrence that fails is
    logged and the others still run."""
    fired: list[int] = []
    with _app.app_context():
        for key, payload in occurrences:
            try:
                fired += runner.run(event, key, payload)
            except Exception:
                db.session.rollback()
                logger.exception("triggers of %s (%s) on ticket %s failed", event, key, payload.get("ticket_id"))
    return fired


WEBHOOK_SOURCES = ("ticket.created", "ticket.updated", "message.created", "sla.warning", "sla.breached",
                   "survey.answered")


def init_webhooks(app: Flask) -> None:
    """Subscribe outbound webhooks to the events endpoints may subscribe to, and send each queued
    delivery by a job."""
    for name in WEBHOOK_SOURCES:
        events.EVENTS[name].connect_batch(_on_webhook_events)  # one check for a whole burst
    events.webhook_queued.connect(_on_delivery_queued, weak=False)


def _on_webhook_events(name: str, payloads: list[dict]) -> None:
    if not _checked(webhooks.subscribed, name):  # on a connection of its own: most installations have none
        return
    # Staged here, as the event is published after its commit, not by a job of its own: two jobs
    # could stage one ticket's created and updated the wrong way round, and the staging order is
    # the order its deliveries go out in. Sending is a job per delivery all the same.
    for payload in payloads:
        if not _checked(lambda event, payload=payload: _stage_now(event, payload), name):
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
