"""The admins' daily summary of mail that could not be processed: started by `mail.failed`, sent
by a job (a slow or absent mail server never holds up the listener), at most one a day."""

from __future__ import annotations

import logging

from flask import Flask

import channels
from channels.base import DeliveryError
from helpdesk.jobs.queue import huey
from helpdesk.models.base import utcnow
from helpdesk.services import events
from helpdesk.services.mail import alerts, mailboxes

log = logging.getLogger(__name__)
_app: Flask | None = None


def init_app(app: Flask) -> None:
    """Bind the job to `app` and subscribe it to failed mail."""
    global _app
    _app = app
    events.mail_failed.connect(_on_mail_failed, weak=False)


def _on_mail_failed(sender, payload: dict) -> None:
    if _app.config.get("HELPDESK_SMTP") is None:
        return  # no mail server: the in-app notification is all there is
    # Shared by every process through the job store: the first failure of the day sends, no other.
    if huey.put_if_empty(f"mail:failed-summary:{utcnow():%Y-%m-%d}", "1", ttl=2 * 86400):
        mail_failed_summary()


@huey.task(retries=3, retry_delay=300)
def mail_failed_summary() -> int:
    """Mail every admin the summary of the failed mail waiting for them; how many were sent."""
    with _app.app_context():
        mailer = channels.get_channel("email", {"smtp": mailboxes.outgoing_smtp(None)})
        sent = 0
        for message in alerts.summary_mails():
            try:
                mailer.send(message)
                sent += 1
            except DeliveryError as exc:
                if exc.retryable and not sent:  # tried again later; once one went out, no one gets it twice
                    raise
                log.warning("failed-mail summary to %s not sent: %s", message.recipient.address, exc.reason)
        return sent
