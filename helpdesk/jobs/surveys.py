"""Surveys' hooks into the running application: a survey scheduled when a ticket is solved (a
`ticket.updated` subscriber) and a periodic Huey task that sends due surveys and expires old ones.

Wired by `create_app` through `init_app`. Tasks live on the shared Huey instance of helpdesk.jobs.
"""

from __future__ import annotations

import logging

from flask import Flask
from huey import crontab

from helpdesk.jobs.queue import huey
from helpdesk.services import events
from helpdesk.services.surveys import sending as surveys

log = logging.getLogger(__name__)
_app: Flask | None = None
_DONE = ("solved", "closed")


def init_app(app: Flask) -> None:
    """Subscribe surveys to the ticket changes that schedule them."""
    global _app
    _app = app
    events.ticket_updated.connect(_on_ticket_updated, weak=False)


def _on_ticket_updated(sender, payload: dict) -> None:
    old, new = (payload.get("changes") or {}).get("status") or (None, None)
    if new not in _DONE or old in _DONE:
        return  # only a solve (or a close straight from open) starts a survey
    # The change is already committed: a failure here must not fail it; the solve just goes unsurveyed.
    try:
        surveys.schedule_for_solve(payload["ticket_id"], payload.get("actor_id"))
    except Exception:  # noqa: BLE001
        log.exception("survey of ticket %s not scheduled", payload.get("ticket_id"))


def send_due_surveys() -> dict[int, str]:
    """Send (or skip) the due surveys and expire unanswered old ones, in the app's context."""
    with _app.app_context():
        done = surveys.send_due(_app.config["HELPDESK_PUBLIC_URL"])
        expired = surveys.expire()
    if done or expired:
        log.info("surveys: %d sent or skipped, %d expired", len(done), expired)
    return done


@huey.periodic_task(crontab(minute="*"))
def survey_sender() -> int:
    """Every minute: surveys whose delay has passed go out (or are skipped with their reason)."""
    return len(send_due_surveys())
