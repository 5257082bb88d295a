"""`helpdesk listen` and `helpdesk run` follow the configuration while they run: a mailbox added in
the admin pages is read without a restart, and one disabled stops being read."""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select, update

from helpdesk.extensions import db
from helpdesk.listeners.mail import start_listeners
from helpdesk.models import Mailbox, Ticket
from helpdesk.services.mail import mailboxes
from tests.mail.conftest import make_mail
from tests.support import committed_eventually


def tickets() -> int:
    return db.session.scalar(select(func.count()).select_from(Ticket))


def test_a_mailbox_added_while_listening_is_read_and_one_disabled_stops(app, mailbox, dovecot):
    mailboxes.update_mailbox(mailbox, active=False, acknowledge=False, acknowledge_template=None)
    stop = threading.Event()
    running = start_listeners(app, stop, refresh_seconds=0.2, idle_seconds=1)
    try:
        assert running.threads == []
        mailboxes.update_mailbox(mailbox, active=True, acknowledge=False, acknowledge_template=None)
        dovecot.deliver(mailbox.user, make_mail(subject="sent after the listener started"))
        assert committed_eventually(lambda: tickets() == 1), "the mailbox enabled while running was never read"
        assert [t.name for t in running.threads] == [f"mailbox-{mailbox.id}"]

        mailboxes.update_mailbox(mailbox, active=False, acknowledge=False, acknowledge_template=None)
        assert committed_eventually(lambda: running.threads == []), "the disabled mailbox's listener kept running"
        dovecot.deliver(mailbox.user, make_mail(subject="sent to a disabled mailbox"))
        time.sleep(1.5)
        db.session.rollback()
        assert tickets() == 1
    finally:
        stop.set()
        running.supervisor.join(timeout=10)
    assert not running.supervisor.is_alive()


def test_an_admin_change_lands_although_a_listener_committed_since_it_was_read(app, mailbox):
    db.session.rollback()
    assert db.session.get(Mailbox, mailbox.id).active  # the admin's transaction reads first ...
    with db.engine.begin() as listener:  # ... then a listener records its sync state
        listener.execute(update(Mailbox).where(Mailbox.id == mailbox.id).values(last_uid=7))
    mailboxes.update_mailbox(mailbox, active=False, acknowledge=False, acknowledge_template=None)
    db.session.rollback()
    stored = db.session.get(Mailbox, mailbox.id)
    assert (stored.active, stored.last_uid) == (False, 7)
