"""Routing's hooks into the running application: a new or returned ticket is routed by a job (never
inside ingestion's transaction), capacity freed or an agent coming online backfills the group's
queue, an offer expires after its timeout, and a periodic sweep catches anything a lost job missed.

Wired by `create_app` through `init_app`. Tasks live on the shared Huey instance of helpdesk.jobs.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask
from huey import crontab

from helpdesk.extensions import db
from helpdesk.jobs.queue import huey
from helpdesk.models.tickets import OPEN_STATUSES
from helpdesk.services import events
from helpdesk.services.routing import assign, offers, snapshot

log = logging.getLogger(__name__)
_app: Flask | None = None
_ROUTED_TTL = 5.0
_routed: tuple[float, frozenset[int]] = (0.0, frozenset())
_routed_lock = threading.Lock()


def init_app(app: Flask) -> None:
    """Subscribe routing to the domain events that give or free work."""
    global _app
    _app = app
    events.ticket_created.connect(_on_ticket_created, weak=False)
    events.ticket_updated.connect(_on_ticket_updated, weak=False)
    events.availability_changed.connect(_on_availability, weak=False)
    events.routing_offer.connect(_on_offer, weak=False)
    events.routing_settings.connect(_on_settings, weak=False)


def _routed_groups() -> frozenset[int]:
    """Groups with assignment on, read at most every few seconds: ingestion asks for every ticket."""
    global _routed
    with _routed_lock:
        if time.monotonic() - _routed[0] > _ROUTED_TTL:
            with _app.app_context():
                _routed = (time.monotonic(), frozenset(snapshot.routed_groups()))
                db.session.remove()
        return _routed[1]


def _on_ticket_created(sender, payload: dict) -> None:
    if payload.get("assignee_id") is None and payload.get("group_id") in _routed_groups():
        route_ticket(payload["ticket_id"])


def _on_ticket_updated(sender, payload: dict) -> None:
    changes = payload.get("changes") or {}
    group_id = payload.get("group_id")
    routed = _routed_groups()
    if "assignee_id" in changes and changes["assignee_id"][1] is not None and payload.get("status") in OPEN_STATUSES:
        withdraw_offers(payload["ticket_id"])  # assigned by hand while offered to someone
    freed_by = changes.get("assignee_id", [None])[0]
    closed = "status" in changes and changes["status"][1] not in OPEN_STATUSES
    if (freed_by is not None or (closed and payload.get("assignee_id") is not None)) and routed:
        backfill(None)  # the agent's capacity is shared by their groups: serve every routed queue
    elif payload.get("assignee_id") is None and group_id in routed and payload.get("status") in OPEN_STATUSES \
            and ("group_id" in changes or "status" in changes):
        route_ticket(payload["ticket_id"])  # moved into a routed group, or reopened


def _on_availability(sender, payload: dict) -> None:
    if payload.get("status") in ("online", "offline") and set(payload.get("group_ids") or ()) & _routed_groups():
        backfill(None)


def _on_offer(sender, payload: dict) -> None:
    if payload.get("state") == "pending":
        expire_offer.schedule((payload["offer_id"],), delay=max(1, int(payload.get("timeout", 30))))


def _on_settings(sender, payload: dict) -> None:
    global _routed
    _routed = (0.0, frozenset())
    backfill([payload["group_id"]] if payload.get("group_id") else None)


@huey.task()
def route_ticket(ticket_id: int) -> str | None:
    """Assign or offer one new ticket (the timeline says why it waits when nobody may take it)."""
    with _app.app_context():
        decision = assign.route_ticket(ticket_id, note_waiting=True)
        return decision.action if decision else None


@huey.task()
def backfill(group_ids: list[int] | None) -> int:
    """Serve the unassigned queues in SLA order while agents have room."""
    with _app.app_context():
        return assign.backfill(group_ids)


@huey.task()
def withdraw_offers(ticket_id: int) -> int:
    """A person assigned the ticket: its pending offers are withdrawn (and their capacity freed)."""
    with _app.app_context():
        return offers.withdraw_for_ticket(ticket_id)


@huey.task()
def expire_offer(offer_id: int) -> bool:
    """An offer's timeout passed: if still unanswered, offer the conversation to the next agent."""
    with _app.app_context():
        return offers.expire(offer_id)


@huey.periodic_task(crontab(minute="*"))
def routing_sweep() -> int:
    """Every minute: expire offers whose timer job was lost, then backfill every routed queue."""
    with _app.app_context():
        expired = offers.expire_overdue()
        routed = assign.backfill(None)
    if expired or routed:
        log.info("routing sweep: %d offer(s) expired, %d ticket(s) routed", expired, routed)
    return routed
