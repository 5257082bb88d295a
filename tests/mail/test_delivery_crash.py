"""kill -9 of a real `helpdesk worker` while it delivers a reply to a real SMTP server (aiosmtpd).

The guarantee (README, security and reliability): at least once, and the same Message-ID on every
attempt, so a receiving server can drop the copy. The hand-over is recorded right before the end of
DATA: a worker killed before it sends nothing twice; one killed after it (the server has the
message, the worker never heard the "250") sends it again after the restart, under the same id.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import threading
import time
from datetime import timedelta
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller

from channels.email import message_ids
from helpdesk.extensions import db
from helpdesk.models import Message, Ticket
from helpdesk.models.base import utcnow
from helpdesk.services import replies
from helpdesk.services.mail import mailboxes
from tests.support import free_port
from tests.web_server import BIN


class PausingSmtp:
    """Keeps every message it accepts; `hold_at` ("RCPT" or "DATA") makes it wait there until
    `release` is set: at DATA it has the whole message and the client waits for the "250"."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.hold_at: str | None = None
        self.reached = threading.Event()
        self.release = threading.Event()

    async def _hold(self, stage: str) -> None:
        if self.hold_at == stage:
            self.reached.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await self._hold("RCPT")
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        await self._hold("DATA")
        return "250 2.0.0 OK"


@pytest.fixture
def smtp():
    handler = PausingSmtp()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    handler.release.set()
    controller.stop()


@pytest.fixture
def start_worker(app, database_url, tmp_path, smtp):
    env = dict(os.environ, HELPDESK_INSTANCE_DIR=str(tmp_path / "worker"), HELPDESK_DATABASE_URL=database_url,
               HELPDESK_SECRET_KEY=app.config["SECRET_KEY"], HELPDESK_SMTP_URL=f"smtp://127.0.0.1:{smtp.port}",
               HELPDESK_MAIL_FROM="support@helpdesk.example", HELPDESK_OUTBOX_STUCK_SECONDS="1")
    env.pop("HELPDESK_REDIS_URL", None)
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        log = open(tmp_path / f"worker-{len(started)}.log", "wb")  # noqa: SIM115 - kept open for the process
        proc = subprocess.Popen([str(BIN / "helpdesk"), "worker", "--workers", "1"], env=env, stdout=log,
                                stderr=subprocess.STDOUT)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(10)


@pytest.fixture(autouse=True)
def no_jobs_in_this_process(app_config):
    app_config["HELPDESK_JOBS_IMMEDIATE"] = False  # the worker finds the reply itself
    yield
    from helpdesk.jobs.queue import huey

    huey.flush()


@pytest.fixture
def queued_reply(inbound, make_user):
    def make() -> int:
        ticket = db.session.get(Ticket, inbound(email="maria@customer.example").ticket_id)
        reply = replies.add_reply(ticket, make_user(), body="Your order ships today")
        # Overdue, as a reply whose job was lost: the worker's start-up sweep picks it up.
        db.session.execute(db.update(Message).where(Message.id == reply.id)
                           .values(next_attempt_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
        return reply.id

    return make


def wait_for(condition, timeout: float = 60, what: str = "the worker"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()  # see the worker's commits
        if value := condition():
            return value
        time.sleep(0.1)
    raise AssertionError(f"{what} did not get there in {timeout} s")


def kill_and_restart(proc, smtp, start_worker) -> subprocess.Popen:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    smtp.hold_at = None
    smtp.release.set()  # the server finishes its side (at DATA: it has the message, and keeps it)
    time.sleep(1.2)  # the dead worker's claim is older than HELPDESK_OUTBOX_STUCK_SECONDS
    return start_worker()


def message_ids_of(smtp) -> list[str]:
    return [message_from_bytes(raw)["Message-ID"] for raw in smtp.messages]


def test_killed_after_the_server_has_the_mail_it_is_sent_again_under_the_same_message_id(
        app, smtp, start_worker, queued_reply):
    reply_id = queued_reply()
    smtp.hold_at = "DATA"
    worker = start_worker()
    assert smtp.reached.wait(60), "the worker never reached the end of DATA"
    # The hand-over was recorded before the end of DATA: the outbox knows this attempt may arrive.
    db.session.rollback()
    marked = db.session.get(Message, reply_id)
    assert marked.delivery_state == "sending" and marked.provider_id == message_ids_of(smtp)[0]

    kill_and_restart(worker, smtp, start_worker)
    sent = wait_for(lambda: (m := db.session.get(Message, reply_id, populate_existing=True))
                    and m.delivery_state == "sent" and m)
    # At least once: the server got it twice, both copies under one Message-ID (ours, signed).
    assert len(smtp.messages) == 2
    assert message_ids_of(smtp) == [sent.provider_id] * 2
    with app.app_context():
        assert message_ids.verify(sent.provider_id, mailboxes.message_id_key()) == reply_id
    assert sent.delivery_attempts == 2


def test_killed_before_the_end_of_data_it_is_sent_once(app, smtp, start_worker, queued_reply):
    reply_id = queued_reply()
    smtp.hold_at = "RCPT"
    worker = start_worker()
    assert smtp.reached.wait(60), "the worker never reached RCPT"
    db.session.rollback()
    assert db.session.get(Message, reply_id).provider_id is None  # not handed over yet

    kill_and_restart(worker, smtp, start_worker)
    sent = wait_for(lambda: (m := db.session.get(Message, reply_id, populate_existing=True))
                    and m.delivery_state == "sent" and m)
    assert message_ids_of(smtp) == [sent.provider_id]  # exactly one copy
