"""Background jobs on Huey: SQLite storage by default, Redis when HELPDESK_REDIS_URL is set."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask
from huey import Huey, RedisHuey, SqliteHuey, crontab, signals

from helpdesk import config
from helpdesk.services import events, replies
from helpdesk.services.operations import logs, metrics

log = logging.getLogger(__name__)


class _CarriesRequestId:
    """A job queued while a request is served carries the request's id (in the job's id), so the
    worker's log lines about it name the request that caused it."""

    def enqueue(self, task):
        task.id = logs.task_id_with_request(task.id)
        return super().enqueue(task)


class _SqliteHuey(_CarriesRequestId, SqliteHuey):
    pass


class _RedisHuey(_CarriesRequestId, RedisHuey):
    pass


def _make_huey() -> Huey:
    # No result store: nothing reads a job's return value, and storing it cost a write per job
    # (on SQLite a write transaction beside the chat's; see bench/README, chat widget).
    redis_url = config.redis_url()
    if redis_url:
        return _RedisHuey("helpdesk", url=redis_url, results=False)
    path = config.instance_path() / "jobs.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    return _SqliteHuey("helpdesk", filename=str(path), results=False)


huey = _make_huey()
_app: Flask | None = None


@huey.pre_execute()
def _job_begins(task) -> None:
    task.request_id_token = logs.request_id.set(logs.request_of_task(task.id) or logs.request_id.get())
    metrics.job_started(task.name)


@huey.signal(signals.SIGNAL_COMPLETE, signals.SIGNAL_ERROR)
def _job_ends(signal, task, exc=None) -> None:
    metrics.job_ended(task.name, "done" if signal == signals.SIGNAL_COMPLETE else "failed")
    token = getattr(task, "request_id_token", None)
    if token is not None:
        logs.request_id.reset(token)


def init_app(app: Flask) -> None:
    """Bind the jobs to `app` and subscribe to the events that start them."""
    global _app
    _app = app
    huey.immediate = bool(app.config.get("HELPDESK_JOBS_IMMEDIATE"))
    events.message_created.connect(_on_message_queued, weak=False)
    events.message_updated.connect(_on_message_queued, weak=False)


_together: ContextVar[list[int] | None] = ContextVar("deliveries_together", default=None)


@contextmanager
def deliveries_together() -> Iterator[None]:
    """Within it, the outbound messages this thread queues are handed to the job queue as one job
    when it ends (`deliver_messages`), not a job each: a mail listener acknowledging a pass of new
    tickets writes the job store once instead of once per acknowledgement (on SQLite a commit
    each, which cost as much as storing the mail). Should the process die before the end, the
    messages are still queued in the outbox and the sweeper hands them over."""
    collected: list[int] = []
    token = _together.set(collected)
    try:
        yield
    finally:
        _together.reset(token)
        if collected:
            deliver_messages(collected)


def _on_message_queued(sender, payload: dict) -> None:
    # A reply handed over at once (replies.Handover) arrives "delivered": no job for it.
    if (payload.get("kind") == "outbound" and payload.get("delivery_state", "queued") == "queued") or payload.get("requeue"):
        collected = _together.get()
        if collected is None:
            deliver_message(payload["message_id"])
        else:
            collected.append(payload["message_id"])


@huey.task()
def deliver_message(message_id: int) -> str:
    """Try to deliver one outbound message; schedule the next try when it may succeed later."""
    with _app.app_context():
        outcome = replies.deliver(message_id)
    if outcome.retry_in:
        deliver_message.schedule((message_id,), delay=outcome.retry_in)
    return outcome.state


@huey.task()
def deliver_messages(message_ids: list[int]) -> int:
    """`deliver_message` for each of `message_ids` in turn (each schedules its own retry); how many."""
    for message_id in message_ids:
        deliver_message.call_local(message_id)
    return len(message_ids)


@huey.periodic_task(crontab(minute="*"))
def sweep_outbox() -> int:
    """Re-enqueue outbound messages whose job was lost or whose worker died mid-send."""
    with _app.app_context():
        ids = replies.stuck_messages(_app.config["HELPDESK_OUTBOX_STUCK_SECONDS"])
    for message_id in ids:
        deliver_message(message_id)
    if ids:
        log.info("outbox sweeper re-enqueued %d message(s)", len(ids))
    return len(ids)


# Huey finds a queued task by "module.function". Tasks queued before the jobs moved into this package
# (a survey due tomorrow, a delivery retry in an hour) still carry the module names of then.
_FORMER_MODULES = {
    "helpdesk.jobs": "helpdesk.jobs.queue",
    "helpdesk.sla_jobs": "helpdesk.jobs.sla",
    "helpdesk.survey_jobs": "helpdesk.jobs.surveys",
    "helpdesk.report_jobs": "helpdesk.jobs.reports",
    "helpdesk.status_jobs": "helpdesk.jobs.delivery_status",
    "helpdesk.webchat.jobs": "helpdesk.jobs.webchat",
}


def accept_former_task_names() -> None:
    """Register every task of this package under its pre-move name too (call once all are imported)."""
    registry = huey._registry._registry  # Huey has no public alias API
    for key, task_class in list(registry.items()):
        module, _, name = key.rpartition(".")
        for old, new in _FORMER_MODULES.items():
            if module == new:
                registry.setdefault(f"{old}.{name}", task_class)
