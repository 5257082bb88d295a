"""The SLA engine's hooks into the running application: clocks recomputed after every ticket
change, the scheduler (a periodic Huey task), background recomputation and supervisor e-mail.

Wired by `create_app` through `init_app`. Tasks live on the shared Huey instance of helpdesk.jobs.
"""

from __future__ import annotations

import logging
import time

from flask import Flask
from huey import crontab

from helpdesk.jobs.queue import huey
from helpdesk.models.tickets import OPEN_STATUSES
from helpdesk.services import events
from helpdesk.services.sla import alerts as sla_alerts
from helpdesk.services.sla import clocks as sla_clocks
from helpdesk.services.sla import config as sla_config
from helpdesk.services.sla import recompute as sla_recompute
from helpdesk.services.sla import scan as sla_scan

log = logging.getLogger(__name__)
_app: Flask | None = None


def init_app(app: Flask) -> None:
    """Subscribe the SLA engine to the domain events it follows."""
    global _app
    _app = app
    for signal in (events.ticket_created, events.ticket_updated):
        signal.connect(_on_ticket_changed, weak=False)
    events.sla_config_changed.connect(_on_config_changed, weak=False)
    events.sla_warning.connect(_on_crossing, weak=False)
    events.sla_breached.connect(_on_crossing, weak=False)


def _on_ticket_changed(sender, payload: dict) -> None:
    # Synchronous, right after the change's commit: the console's next render shows the new clock.
    # A failure here must not undo or fail the change that was already committed.
    if payload.get("sla_refreshed"):
        return  # ingestion recomputed the clocks inside its own transaction
    try:
        if (payload.get("sla_state") == "none" and payload.get("status") in OPEN_STATUSES
                and not sla_config.any_active_policy()):
            return  # open, no clock, and none can start: "none" is already right, skip the write
        sla_clocks.refresh([payload["ticket_id"]])
    except Exception:  # noqa: BLE001
        log.exception("SLA clocks of ticket %s not refreshed; the scheduler will retry", payload.get("ticket_id"))


def _on_config_changed(sender, payload: dict) -> None:
    if payload.get("recompute_id") is not None:
        recompute_open_tickets(payload["recompute_id"])


def _on_crossing(sender, payload: dict) -> None:
    if payload.get("email_supervisors"):
        crossing = {"kind": sender.rpartition(".")[2], "target": payload["target"], "due_at": payload["due_at"]}
        email_supervisors(payload["text"], payload["ticket_id"], crossing)


@huey.task()
def recompute_open_tickets(recompute_id: int) -> str | None:
    """Recompute every open ticket after a settings change (progress on the SlaRecompute row)."""
    with _app.app_context():
        row = sla_recompute.run(recompute_id)
        return row.state if row is not None else None


@huey.task(retries=3, retry_delay=60)
def email_supervisors(text: str, ticket_id: int, crossing: dict | None = None) -> int:
    """Tell every active supervisor about a crossing by e-mail, each in their language when the
    crossing (kind, target, due_at) is given; returns how many were written to."""
    with _app.app_context():
        return sla_alerts.email_supervisors(_app.config.get("HELPDESK_SMTP"), text, ticket_id, crossing)


def _scan_once() -> int:
    with _app.app_context():
        report = sla_scan.scan()
        for recompute_id in sla_recompute.forgotten():
            recompute_open_tickets(recompute_id)
    if report.fired:
        log.info("SLA scan: %d ticket(s) checked, %d crossing(s) acted on", report.checked, len(report.fired))
    return len(report.fired)


@huey.periodic_task(crontab(minute="*"))
def sla_scheduler() -> int:
    """Every minute: act on the SLA warnings and breaches that happened since the last scan. With
    HELPDESK_SLA_SCAN_SECONDS under 60 the minute is covered by a chain of delayed scans."""
    fired = _scan_once()
    interval = _app.config.get("HELPDESK_SLA_SCAN_SECONDS", 60)
    if interval < 60:
        sla_scan_again.schedule((time.time() + 60,), delay=interval)
    return fired


@huey.task()
def sla_scan_again(until: float) -> int:
    """One scan of a chain started by `sla_scheduler`; the chain ends where the next minute's starts."""
    fired = _scan_once()
    interval = _app.config.get("HELPDESK_SLA_SCAN_SECONDS", 60)
    if time.time() + interval < until - 0.5:
        sla_scan_again.schedule((until,), delay=interval)
    return fired
