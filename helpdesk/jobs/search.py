"""The ticket search index's hook into the running application: after committed changes, a Huey
job indexes the tickets the triggers noted (`services.search.indexing.drain`), so ingestion never
waits for indexing; changes within DRAIN_DELAY seconds share one run. Searches drain first too, so
nobody searches a stale index, whether the worker is running or not.

Wired by `create_app` through `init_app` (both kinds of app: mail listeners and bots ingest too).
"""

from __future__ import annotations

import logging
import time

from flask import Flask, has_app_context

from helpdesk.jobs.queue import huey
from helpdesk.services import events
from helpdesk.services.search import indexing

log = logging.getLogger(__name__)
DRAIN_DELAY = 0.5  # seconds: changes within it are indexed by one job
PENDING_KEY = "search:drain"
_app: Flask | None = None
_last_scheduled = [0.0]


def init_app(app: Flask) -> None:
    """Schedule an index drain after ticket and message events."""
    global _app
    _app = app
    for signal in (events.ticket_created, events.ticket_updated, events.message_created, events.message_updated):
        signal.connect(_on_change, weak=False)


def _on_change(sender, payload: dict) -> None:
    # A failure must not fail the change that was already committed: the triggers keep the
    # ticket noted, and the next drain (or search) indexes it.
    try:
        if huey.immediate:
            indexing.drain()
            return
        now = time.monotonic()
        if now - _last_scheduled[0] < DRAIN_DELAY:  # this process scheduled one that has not run yet
            return
        _last_scheduled[0] = now
        if huey.put_if_empty(PENDING_KEY, "1"):
            drain_search_index.schedule(delay=DRAIN_DELAY)
    except Exception:  # noqa: BLE001
        log.exception("search index drain not scheduled")


@huey.task(retries=3, retry_delay=5)
def drain_search_index() -> int:
    """Index every ticket changed since the last drain; returns how many."""
    huey.get(PENDING_KEY)  # taken off first: a change committed from now on schedules the next run
    if has_app_context():
        return indexing.drain()
    with _app.app_context():
        return indexing.drain()
