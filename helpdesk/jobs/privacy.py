"""Privacy's hooks into the running application: the portal's "download my data" prepared by a
job that mails the signed link, and the daily retention run (which also drops expired exports).

Wired by `create_app` through `init_app`.
"""

from __future__ import annotations

import logging

from flask import Flask, has_app_context
from huey import crontab

from helpdesk.jobs.queue import huey
from helpdesk.services import events

log = logging.getLogger(__name__)
_app: Flask | None = None


def init_app(app: Flask) -> None:
    """Queue the export job when a customer asks for their data."""
    global _app
    _app = app
    events.privacy_export_requested.connect(_on_export_requested, weak=False)
    events.privacy_erased.connect(_on_erased, weak=False)


def _on_export_requested(sender, payload: dict) -> None:
    prepare_export(payload["customer_id"], payload["mail_to"])


def _on_erased(sender, payload: dict) -> None:
    compact_search_index()


def _in_app(work):
    if has_app_context():
        return work()
    with _app.app_context():
        return work()


@huey.task(retries=3, retry_delay=60)
def prepare_export(customer_id: int, mail_to: str) -> str | None:
    """Write the customer's archive and mail `mail_to` its download link; the mail's provider id."""
    from helpdesk.services.privacy import delivery

    return _in_app(lambda: delivery.prepare_and_mail(customer_id, mail_to))


@huey.task(retries=3, retry_delay=30)
def compact_search_index() -> None:
    """After an erasure: merge the search engines' segments so no deleted word stays in them."""
    from helpdesk.services.privacy import purge

    _in_app(purge.compact)


@huey.periodic_task(crontab(minute="17", hour="3"))
def retention_daily() -> dict:
    """Every day at 03:17: apply each channel's retention policy; drop expired export archives."""
    from helpdesk.services.privacy import export, retention

    def work():
        done = retention.run(dry_run=False)
        export.remove_expired()
        return done

    result = _in_app(work)
    log.info("retention: %s", result)
    return result
