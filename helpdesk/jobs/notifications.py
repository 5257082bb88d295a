"""Personal notifications from committed domain events: a job writes them (so a request or an
ingestion never waits for them) and another e-mails each one whose recipient asked for e-mail."""

from __future__ import annotations

import logging

from flask import Flask

import channels
from channels.base import AUTO_GENERATED, DeliveryError, OutboundMessage, Sender
from helpdesk.jobs.queue import huey
from helpdesk.services import events, notifications
from helpdesk.services.mail import mailboxes

log = logging.getLogger(__name__)
_app: Flask | None = None
_SOURCES = ("message.created", "ticket.updated", "ticket.created")


def init_app(app: Flask) -> None:
    """Subscribe to the events that notify someone."""
    global _app
    _app = app
    for name in _SOURCES:
        events.EVENTS[name].connect(_on_event, weak=False)
    events.notification_created.connect(_on_created, weak=False)
    events.sla_warning.connect_batch(_on_sla)
    events.sla_breached.connect_batch(_on_sla)


def _on_event(name: str, payload: dict) -> None:
    if notifications.is_interesting(name, payload):  # most events notify nobody: no job for them
        notify(name, payload)


def _on_created(name: str, payload: dict) -> None:
    mail_notification(payload["notification_id"])


def _on_sla(name: str, payloads: list[dict]) -> None:
    # One job for a scan's batch of crossings (a burst of 5,000 was 3,000 jobs, each a write to the
    # job store), and none for crossings without an assignee.
    assigned = [{"ticket_id": p["ticket_id"], "assignee_id": p["assignee_id"]}
                for p in payloads if p.get("assignee_id") is not None]
    if assigned:
        mail_sla_notifications(name, assigned)


@huey.task()
def notify(name: str, payload: dict) -> int:
    """Write (and announce) the notifications one domain event calls for; how many."""
    with _app.app_context():
        return len(notifications.for_event(name, payload))


@huey.task()
def mail_sla_notifications(name: str, payloads: list[dict]) -> int:
    """E-mail the assignees' SLA notifications of crossings `payloads` (ticket_id, assignee_id) to
    those who want e-mail, a job each; how many."""
    with _app.app_context():
        ids = notifications.sla_notification_ids(payloads, name)
    for notification_id in ids:
        mail_notification(notification_id)
    return len(ids)


@huey.task()
def mail_sla_notification(name: str, payload: dict) -> None:
    """`mail_sla_notifications` of one crossing (jobs queued before it existed still call this)."""
    mail_sla_notifications.call_local(name, [payload])


@huey.task(retries=3, retry_delay=60)
def mail_notification(notification_id: int) -> str:
    """E-mail one notification to its recipient if they asked for e-mail; retried when the mail
    server fails for now."""
    with _app.app_context():
        mail = notifications.mail_for(notification_id)
        if mail is None:
            return "not wanted"
        address, subject, body = mail
        mailer = channels.get_channel("email", {"smtp": mailboxes.outgoing_smtp(None)})
        message = OutboundMessage(message_id=0, channel="email", source=None, recipient=Sender(kind="email", address=address),
                                  body_text=f"{body}\n\n{_app.config['HELPDESK_PUBLIC_URL']}/notifications\n",
                                  subject=subject, auto_submitted=AUTO_GENERATED)
        try:
            return mailer.send(message).provider_id
        except DeliveryError as exc:
            if exc.retryable:
                raise
            log.warning("notification %s not mailed: %s", notification_id, exc.reason)
            return f"not sent: {exc.reason}"
