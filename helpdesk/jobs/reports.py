"""Reports' hooks into the running application: a ticket's report facts and the rollups of the
days they touch are refreshed by a Huey job after each change that credits someone (changes to
one ticket within HELPDESK_REPORT_DELAY_SECONDS share one run).

Wired by `create_app` through `init_app`, after the SLA engine so that the SLA outcomes of a change
are stored before its facts are computed. Tasks live on the shared Huey instance of helpdesk.jobs.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, has_app_context

from helpdesk.jobs.queue import huey
from helpdesk.services import events
from helpdesk.services.reports import facts as report_facts

log = logging.getLogger(__name__)
_app: Flask | None = None


CHUNK = 100  # tickets per transaction of a batched refresh
# Changes that move a ticket's facts: who solved or reopened it, who it went to, its dimensions.
RELEVANT_CHANGES = {"status", "assignee_id", "group_id", "priority", "channel", "merged_into", "merged_from"}


def init_app(app: Flask) -> None:
    """Subscribe the report refresh to ticket changes, agents' replies and SLA breaches."""
    global _app
    _app = app
    events.ticket_updated.connect(_on_ticket_updated, weak=False)
    events.message_created.connect(_on_message_created, weak=False)
    # A breach counts as missed from that moment (services.sla.compliance), open ticket or not.
    events.sla_breached.connect_batch(_on_breached)


def _on_ticket_updated(sender, payload: dict) -> None:
    # A customer's message or a new ticket credits nobody: no job for those (ingestion stays fast).
    if RELEVANT_CHANGES & set(payload.get("changes") or ()):
        _refresh(payload)


def _on_message_created(sender, payload: dict) -> None:
    if payload.get("kind") == "outbound" and payload.get("author_id") is not None:
        _refresh(payload)


def _on_breached(sender, payloads: list[dict]) -> None:
    # A scan's batch of breaches is one job (a burst of 5,000 crossings was two job-store writes
    # each), refreshed a chunk per transaction, each chunk ~0.5 ms a ticket against 3.4 ms alone.
    ids = sorted({p["ticket_id"] for p in payloads})
    try:
        if huey.immediate:
            refresh_many_report_facts(ids)
        else:
            delay = (current_app if has_app_context() else _app).config["HELPDESK_REPORT_DELAY_SECONDS"]
            refresh_many_report_facts.schedule((ids,), delay=delay)
    except Exception:  # noqa: BLE001
        log.exception("report facts of %d breached ticket(s) not refreshed", len(ids))


def _pending_key(ticket_id: int) -> str:
    return f"reports:refresh:{ticket_id}"


def _refresh(payload: dict) -> None:
    # A failure must not fail the change that was already committed: `helpdesk reports rebuild`
    # or the ticket's next change puts the facts right.
    try:
        ticket_id = payload["ticket_id"]
        if huey.immediate:
            refresh_report_facts(ticket_id)
        elif huey.put_if_empty(_pending_key(ticket_id), "1"):  # none pending yet: schedule one
            # Changes to one ticket within the delay share one refresh (a chat's quick replies, a
            # reply that also opens the ticket). Reports lag by it; with 2 s, a busy chat spent
            # most of the worker's CPU refreshing the same ticket, on the cores that deliver chats.
            refresh_report_facts.schedule((ticket_id,), delay=(current_app if has_app_context() else _app).config["HELPDESK_REPORT_DELAY_SECONDS"])
    except Exception:  # noqa: BLE001
        log.exception("report facts of ticket %s not refreshed", payload.get("ticket_id"))


@huey.task(retries=3, retry_delay=10)
def refresh_report_facts(ticket_id: int) -> int:
    """Recompute one ticket's report facts and move the rollups; returns its number of facts."""
    # Taken off first: a change committed from now on schedules the next refresh, never gets lost.
    huey.get(_pending_key(ticket_id))
    if has_app_context():
        # Run immediately inside the caller's context (HELPDESK_JOBS_IMMEDIATE): its session ends
        # its own read transaction before writing, where a second session's commit would leave
        # the caller's snapshot unable to write on SQLite.
        return report_facts.refresh([ticket_id])
    with _app.app_context():
        return report_facts.refresh([ticket_id])


@huey.task(retries=3, retry_delay=10)
def refresh_many_report_facts(ticket_ids: list[int]) -> int:
    """`refresh_report_facts` of many tickets, `CHUNK` per transaction (a short hold of SQLite's
    write lock each); returns their number of facts."""
    if not has_app_context():
        with _app.app_context():
            return refresh_many_report_facts.call_local(ticket_ids)
    return sum(report_facts.refresh(ticket_ids[first:first + CHUNK]) for first in range(0, len(ticket_ids), CHUNK))
