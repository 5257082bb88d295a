"""Automation jobs: triggers from committed domain events (a job per event that some active
trigger listens to, none otherwise), outbound webhook deliveries with their retries, and the
time-based automations every five minutes."""

from __future__ import annotations

from flask import Flask, has_app_context
from huey import crontab

from helpdesk.jobs.queue import huey
from helpdesk.services import events
from helpdesk.services.automation import runner, timed, triggers, webhooks

_app: Flask | None = None
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
    if _checked(webhooks.subscribed, name):  # on a connection of its own: most installations have none
        queue_webhooks(name, payload)


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
