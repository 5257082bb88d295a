"""Scale-out: one listener per mailbox across processes, through a lease in Redis."""

from __future__ import annotations

import threading
import time

import pytest

from helpdesk.listeners.leases import RedisLease
from tests.support import reachable_redis, redis_test_url

REDIS_URL = redis_test_url(14)


@pytest.fixture
def redis_client():
    client = reachable_redis(REDIS_URL)
    yield client
    for key in client.scan_iter("helpdesk:leader:*"):
        client.delete(key)


def test_only_one_holder_and_a_dead_holders_lease_runs_out(redis_client):
    first, second = RedisLease(redis_client, "mailbox:t1", seconds=1), RedisLease(redis_client, "mailbox:t1", seconds=1)
    assert first.hold() and not second.hold()
    assert first.hold()  # renewing is holding
    time.sleep(1.3)  # the first process died: it stopped renewing
    assert second.hold() and not first.hold()
    second.release()
    assert first.hold()


def test_two_listeners_on_one_mailbox_only_one_reads_it(app, mailbox, dovecot, redis_client, monkeypatch):
    from helpdesk.listeners import mail as listeners
    from helpdesk.services.mail import sync as mail_sync

    app.config["HELPDESK_REDIS_URL"] = REDIS_URL
    readers: set[str] = set()
    real_sync = mail_sync.sync_with

    def recording_sync(imap, mailbox_id):
        readers.add(threading.current_thread().name)
        return real_sync(imap, mailbox_id)

    monkeypatch.setattr(mail_sync, "sync_with", recording_sync)
    stop = threading.Event()
    threads = [threading.Thread(target=listeners.listen_to_mailbox, args=(app, mailbox.id, stop), name=f"listener-{n}",
                                kwargs={"idle_seconds": 0.5, "poll_seconds": 0.5}, daemon=True) for n in range(2)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(2)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    assert len(readers) == 1
