"""The outbox on a real Huey consumer (SQLite storage, worker threads), not immediate mode."""

from __future__ import annotations

import time

import pytest

from helpdesk.extensions import db
from helpdesk.models import Message, Ticket
from helpdesk.services import replies


@pytest.fixture
def consumer(app_config):
    app_config["HELPDESK_JOBS_IMMEDIATE"] = False
    yield
    from helpdesk.jobs.queue import huey

    huey.flush()


def wait_for_state(message_id: int, state: str, timeout: float = 15) -> Message:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()  # end the read snapshot so the worker's commit becomes visible
        message = db.session.get(Message, message_id)
        if message.delivery_state == state:
            return message
        time.sleep(0.1)
    raise AssertionError(f"message {message_id} stayed {message.delivery_state}, never {state}")


def test_a_reply_is_delivered_by_a_worker_thread(consumer, app, inbound, make_user, smtp_server):
    from helpdesk.jobs.queue import huey

    assert not huey.immediate
    ticket = db.session.get(Ticket, inbound(email="c@example.com").ticket_id)
    message = replies.add_reply(ticket, make_user(), body="from the worker")
    # Enqueued once, not yet run (the queue also holds the report refresh the reply schedules).
    assert message.delivery_state == "queued"
    assert [t.args for t in huey.pending() if t.name == "deliver_message"] == [(message.id,)]
    worker = huey.create_consumer(workers=1, worker_type="thread", periodic=False, check_worker_health=False)
    worker.start()
    try:
        wait_for_state(message.id, "sent")
    finally:
        worker.stop(graceful=True)
    assert len(smtp_server.messages) == 1


def test_a_task_queued_under_its_name_from_before_the_move_still_runs(app):
    """A job queued by the previous release (module helpdesk.survey_jobs) is found after the upgrade."""
    from huey.registry import Message as QueuedMessage

    from helpdesk.jobs.queue import huey
    from helpdesk.jobs.surveys import survey_sender

    queued = QueuedMessage(id="id-1", name="helpdesk.survey_jobs.survey_sender", args=(), kwargs={})
    assert type(huey._registry.create_task(queued)) is survey_sender.task_class
