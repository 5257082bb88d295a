"""Faults while bringing mail in: after recovery every message is on exactly one ticket."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from channels.email.imap import DONE_FLAG, ImapMailbox
from helpdesk.extensions import db
from helpdesk.models import FailedMail, Message, Ticket
from helpdesk.services.mail import inbound as mail_inbound
from helpdesk.services.mail import sync as mail_sync
from tests.mail.conftest import make_mail


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def deliver_three(mailbox, dovecot) -> None:
    for n in range(3):
        dovecot.deliver(mailbox.user, make_mail(subject=f"mail {n}", sender=f"c{n}@customer.example"))


def test_connection_dropped_mid_fetch(mailbox, dovecot, monkeypatch):
    deliver_three(mailbox, dovecot)
    real_fetch = ImapMailbox.fetch_batches

    def fetch_then_drop(self, uids):
        for n, batch in enumerate(real_fetch(self, uids, max_count=1)):
            yield batch
            if n == 0:
                self.client._imap.sock.shutdown(socket.SHUT_RDWR)  # the network goes away

    monkeypatch.setattr(ImapMailbox, "fetch_batches", fetch_then_drop)
    first = mail_sync.sync_mailbox(mailbox.id)
    assert first.error and "connection lost" in first.error
    monkeypatch.undo()
    second = mail_sync.sync_mailbox(mailbox.id)
    assert second.error is None
    assert count(Ticket) == 3 and count(Message) == 3
    assert all(DONE_FLAG in flags for flags in dovecot.flags(mailbox.user).values())


def test_database_down_during_ingest_leaves_the_mail_on_the_server(mailbox, dovecot, monkeypatch):
    deliver_three(mailbox, dovecot)

    def database_gone(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(mail_inbound, "receive", database_gone)
    monkeypatch.setattr(mail_inbound, "ingest_many", database_gone)  # the batch, before one by one
    monkeypatch.setattr(mail_sync, "record_failure", database_gone)  # nothing can be written at all
    with pytest.raises(OperationalError):
        mail_sync.sync_mailbox(mailbox.id)
    assert not any(DONE_FLAG in flags for flags in dovecot.flags(mailbox.user).values())
    monkeypatch.undo()
    db.session.rollback()
    report = mail_sync.sync_mailbox(mailbox.id)
    assert len(report.tickets) == 3 and count(Ticket) == 3 and count(FailedMail) == 0
