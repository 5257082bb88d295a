"""Prometheus metrics of this process, and the state read from the database at each scrape.

Counters and histograms live in this process (under gunicorn with PROMETHEUS_MULTIPROC_DIR set,
in files that the exposition sums over the workers). What the database knows (outbox, mailboxes,
SLA scan lag) is read when Prometheus scrapes, with index-only queries, so it is the same on
every process and needs no bookkeeping.
"""

from __future__ import annotations

import os
import time
from datetime import datetime

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models.base import utcnow

REGISTRY = CollectorRegistry(auto_describe=True)
# The outbox states a message passes through before it is done (final states are not counted:
# they only grow, and counting them would read the whole table at every scrape).
PENDING_STATES = ("queued", "sending", "failed")

REQUEST_SECONDS = Histogram(
    "helpdesk_http_request_duration_seconds", "Time to answer an HTTP request, by endpoint.",
    ["endpoint", "method", "status"], registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
TICKETS_INGESTED = Counter("helpdesk_tickets_ingested_total", "Tickets created, by channel.", ["channel"], registry=REGISTRY)
JOBS_RUNNING = Gauge("helpdesk_jobs_running", "Jobs running now in this process.", ["task"], registry=REGISTRY,
                     multiprocess_mode="livesum")
JOBS_FINISHED = Counter("helpdesk_jobs_finished_total", "Jobs finished, by task and outcome.", ["task", "outcome"],
                        registry=REGISTRY)


def _seconds_since(moment: datetime | None, now: datetime) -> float:
    return max((now - moment).total_seconds(), 0.0) if moment else float("nan")


class DatabaseState:
    """Outbox messages by state, each mailbox's sync lag and last error, the SLA scan's lag."""

    def __init__(self, app) -> None:
        self._app = app

    def collect(self):
        up = GaugeMetricFamily("helpdesk_database_up", "1 when the database answered this scrape.")
        try:
            found = list(self._read())
        except Exception:  # noqa: BLE001 - a scrape must still answer; the gauge says what failed
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from found

    def _read(self):
        from helpdesk.models import Mailbox, Message, Ticket

        with self._app.app_context():
            now = utcnow()
            outbox = GaugeMetricFamily("helpdesk_outbox_messages", "Outbound messages not yet done, by state.",
                                       labels=["state"])
            counts = dict(db.session.execute(
                select(Message.delivery_state, func.count()).where(Message.delivery_state.in_(PENDING_STATES))
                .group_by(Message.delivery_state)).all())
            for state in PENDING_STATES:
                outbox.add_metric([state], counts.get(state, 0))
            lag = GaugeMetricFamily("helpdesk_mailbox_sync_lag_seconds", "Seconds since the mailbox was last read.",
                                    labels=["mailbox"])
            failing = GaugeMetricFamily("helpdesk_mailbox_error", "1 when the mailbox's last sync failed.",
                                        labels=["mailbox", "error"])
            for name, last_sync, error in db.session.execute(
                    select(Mailbox.name, Mailbox.last_sync_at, Mailbox.last_error).where(Mailbox.active)):
                lag.add_metric([name], _seconds_since(last_sync, now))
                failing.add_metric([name, (error or "")[:120]], 1 if error else 0)
            oldest_due = db.session.scalar(select(func.min(Ticket.sla_check_at)).where(Ticket.sla_check_at <= now))
            sla = GaugeMetricFamily("helpdesk_sla_scan_lag_seconds",
                                    "How long the oldest SLA check that is due has waited (0: none waiting).")
            sla.add_metric([], _seconds_since(oldest_due, now) if oldest_due else 0.0)
            db.session.rollback()
        yield from (outbox, lag, failing, sla)


class ProcessState:
    """Socket.IO connections by namespace and the job queue's length, as this process sees them."""

    def __init__(self, huey) -> None:
        self._huey = huey

    def collect(self):
        from helpdesk.extensions import socketio

        huey = self._huey

        sockets = GaugeMetricFamily("helpdesk_socketio_connections", "Open Socket.IO connections in this process.",
                                    labels=["namespace"])
        server = getattr(socketio, "server", None)
        rooms = server.manager.rooms if server is not None else {}
        for namespace in ("/agent", "/chat"):
            sockets.add_metric([namespace], len(rooms.get(namespace, {}).get(None, {})))
        queued = GaugeMetricFamily("helpdesk_jobs_queued", "Jobs waiting in the queue (and scheduled for later).",
                                   labels=["when"])
        queued.add_metric(["now"], huey.pending_count())
        queued.add_metric(["later"], huey.scheduled_count())
        yield from (sockets, queued)


def exposition(app, huey) -> tuple[bytes, str]:
    """The text Prometheus scrapes (for `app` and its job queue `huey`), and its content type."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_Forward(REGISTRY))
    registry.register(DatabaseState(app))
    registry.register(ProcessState(huey))
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _Forward:
    def __init__(self, registry: CollectorRegistry) -> None:
        self._registry = registry

    def collect(self):
        yield from self._registry.collect()


def observe_request(endpoint: str, method: str, status: int, started: float) -> None:
    """Record one answered request."""
    REQUEST_SECONDS.labels(endpoint, method, f"{status // 100}xx").observe(time.perf_counter() - started)


def count_ticket(sender, payload: dict) -> None:
    """Subscriber of ticket.created."""
    TICKETS_INGESTED.labels(payload.get("channel") or "unknown").inc()


def job_started(task_name: str) -> None:
    JOBS_RUNNING.labels(task_name).inc()


def job_ended(task_name: str, outcome: str) -> None:
    JOBS_RUNNING.labels(task_name).dec()
    JOBS_FINISHED.labels(task_name, outcome).inc()
