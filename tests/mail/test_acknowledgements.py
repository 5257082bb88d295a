"""Acknowledgements of new tickets: queued with the ticket, sent once, answering the mail that
opened the ticket; real mail through Dovecot in, aiosmtpd out."""

from __future__ import annotations

import email
import random
import sqlite3
import threading
import time

import pytest
from sqlalchemy import event, func, select

from channels.email.imap import DONE_FLAG
from helpdesk.extensions import db
from helpdesk.jobs.queue import huey
from helpdesk.models import FailedMail, Message, Ticket
from helpdesk.services.mail import sync as mail_sync
from tests.mail.conftest import make_mail


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def app_config(app_config):
    # The listener only queues; a worker delivers (`sent` drains the queue), as in production.
    return app_config | {"HELPDESK_JOBS_IMMEDIATE": False}


@pytest.fixture(autouse=True)
def _empty_queue(app):
    huey.flush()  # nothing left over from other tests in this process


def drain_jobs() -> int:
    """Run every queued job, as `helpdesk worker` would; how many ran."""
    ran = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran += 1
    return ran


def sent(smtp_server) -> list[email.message.Message]:
    """What reached the SMTP server once the worker has run every queued delivery."""
    drain_jobs()
    return [email.message_from_bytes(envelope.content) for envelope in smtp_server.messages]


def acknowledging(mailbox):
    mailbox.acknowledge = True
    db.session.commit()
    return mailbox


def test_an_acknowledgement_answers_the_opening_mail_not_a_follow_up_of_the_same_batch(mailbox, dovecot, smtp_server):
    acknowledging(mailbox)
    dovecot.deliver(mailbox.user, make_mail(message_id="<opening@customer.example>", subject="Broken login"))
    dovecot.deliver(mailbox.user, make_mail(message_id="<follow-up@customer.example>", subject="Re: Broken login",
                                            body="Also, the app crashes.",
                                            headers={"In-Reply-To": "<opening@customer.example>",
                                                     "References": "<opening@customer.example>"}))
    dovecot.deliver(mailbox.user, make_mail(message_id="<away@customer.example>", subject="Out of office",
                                            headers={"Auto-Submitted": "auto-replied",
                                                     "In-Reply-To": "<opening@customer.example>"}))
    report = mail_sync.sync_mailbox(mailbox.id)
    assert report.fetched == 3 and count(Ticket) == 1 and report.failed == 0

    (ack,) = sent(smtp_server)
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["In-Reply-To"] == "<opening@customer.example>"
    assert ack["References"].split() == ["<opening@customer.example>"]


def test_the_acknowledgement_is_stored_with_its_ticket(mailbox, dovecot, smtp_server):
    acknowledging(mailbox)
    dovecot.deliver(mailbox.user, make_mail(subject="Where is my order?"))
    (ticket_id,) = mail_sync.sync_mailbox(mailbox.id).tickets
    inbound, ack = db.session.scalars(select(Message).where(Message.ticket_id == ticket_id).order_by(Message.id))
    assert (inbound.kind, ack.kind, ack.is_automated, ack.delivery_state) == ("inbound", "outbound", True, "queued")
    assert f"[#{ticket_id}]" in ack.body_text and "Where is my order?" in ack.body_text
    (mail,) = sent(smtp_server)
    assert "maria@customer.example" in mail["To"] and "Hello María López" in mail.get_payload(decode=True).decode()
    db.session.rollback()  # see what the worker committed
    assert db.session.get(Message, ack.id).delivery_state == "sent"


class Writers:
    """Other connections writing to the same SQLite file while mail comes in (web requests, jobs):
    each takes the write lock, holds it a random while, commits, pauses."""

    def __init__(self, path: str, threads: int = 2, hold_ms: tuple[int, int] = (0, 120)) -> None:
        self.path, self.hold_ms, self.stop, self.commits = path, hold_ms, threading.Event(), 0
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS contention (id INTEGER PRIMARY KEY, at REAL)")
        self.threads = [threading.Thread(target=self._write, daemon=True) for _ in range(threads)]

    def _write(self) -> None:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        rng = random.Random()
        while not self.stop.is_set():
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO contention (at) VALUES (?)", (time.time(),))
            time.sleep(rng.uniform(*self.hold_ms) / 1000)
            conn.execute("COMMIT")
            self.commits += 1
            time.sleep(rng.uniform(0, 0.02))
        conn.close()

    def __enter__(self) -> Writers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()


# Enough mail that the writers commit many times while it comes in, even on a fast, quiet machine.
MAILS = 100


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the database-wide write lock is SQLite's
def test_under_concurrent_writers_every_mail_is_one_ticket_and_every_acknowledgement_goes_once(
        mailbox, dovecot, smtp_server, app):
    acknowledging(mailbox)
    mails = [make_mail(sender=f"c{n}@customer.example", subject=f"Question {n}", message_id=f"<q{n}@customer.example>")
             for n in range(MAILS)]
    for mail in mails:
        dovecot.deliver(mailbox.user, mail)
    # Lock timeouts as a busy server has them, but in milliseconds instead of the 10 s default.
    event.listen(db.engine, "connect", _short_busy_timeout)
    db.engine.dispose()
    passes = 0
    try:
        with Writers(db.engine.url.database) as writers:
            while passes < 100 and not all(DONE_FLAG in f for f in dovecot.flags(mailbox.user).values()):
                report = mail_sync.sync_mailbox(mailbox.id)
                passes += 1
                assert report.error in (None, mail_sync.BUSY_ERROR)
    finally:
        event.remove(db.engine, "connect", _short_busy_timeout)
        db.engine.dispose()
    assert writers.commits > 10  # they really wrote alongside
    db.session.rollback()
    assert count(FailedMail) == 0, "a lock timeout is a retry, never a failed mail"
    assert count(Ticket) == MAILS and count(Message, Message.kind == "inbound") == MAILS
    assert count(Message, Message.kind == "outbound", Message.is_automated) == MAILS  # one per ticket

    acks = sent(smtp_server)
    assert sorted(a["In-Reply-To"] for a in acks) == sorted(f"<q{n}@customer.example>" for n in range(MAILS))
    db.session.rollback()
    assert count(Message, Message.kind == "outbound", Message.delivery_state != "sent") == 0


def _short_busy_timeout(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA busy_timeout=50")


def test_listen_once_hands_a_passes_acknowledgements_to_the_queue_as_one_job(app, mailbox, dovecot, smtp_server):
    acknowledging(mailbox)
    for n in range(3):
        dovecot.deliver(mailbox.user, make_mail(sender=f"c{n}@customer.example", subject=f"Question {n}"))
    result = app.test_cli_runner().invoke(args=["listen", "--once"])
    assert result.exit_code == 0, result.output
    # One write to the job store for the deliveries, not one per acknowledgement (the search index's
    # coalesced job may be queued beside it).
    deliveries = [t.name for t in huey.pending() if t.name.startswith("deliver_message")]
    assert deliveries == ["deliver_messages"]
    assert sorted(m["Subject"].rsplit(" [#", 1)[0] for m in sent(smtp_server)) == [
        "Re: Question 0", "Re: Question 1", "Re: Question 2"]


@pytest.mark.parametrize(("language", "greeting", "number"), [
    ("es-ES", "Hola María López", "Su número de ticket es"), ("zh", "María López，您好", "您的工单编号是")])
def test_a_customer_whose_language_is_known_is_acknowledged_in_it(mailbox, dovecot, smtp_server, language, greeting,
                                                                   number):
    from channels.base import Sender
    from helpdesk.services import customers

    customer, _identity = customers.resolve(Sender(kind="email", address="maria@customer.example", name="María López"))
    customer.language = language
    db.session.commit()
    acknowledging(mailbox)
    dovecot.deliver(mailbox.user, make_mail(subject="¿Dónde está mi pedido?"))
    (ticket_id,) = mail_sync.sync_mailbox(mailbox.id).tickets
    (mail,) = sent(smtp_server)
    body = mail.get_payload(decode=True).decode()
    assert greeting in body and number in body and f"[#{ticket_id}]" in body and "Hello" not in body
