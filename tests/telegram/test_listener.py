"""The long-polling listener: `helpdesk listen --once`, a listener thread that brings updates in as
they arrive, and one poller per bot across processes (a Redis lease)."""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.listeners.telegram import listen_to_bot
from helpdesk.models import Message, Ticket
from helpdesk.services.telegram import polling as telegram_polling
from tests.support import committed_eventually
from tests.telegram import updates


def test_listen_once_polls_every_bot_from_the_command_line(bot, bot_api, app):
    bot_api.push(updates.text("from the command line"))
    result = app.test_cli_runner().invoke(args=["listen", "--once"])
    assert result.exit_code == 0, result.output
    assert "telegram acme: 1 updates, 1 new or continued tickets, 0 duplicates" in result.output
    assert db.session.scalar(select(Ticket.subject)) == "from the command line"


def test_listen_once_fails_when_a_bot_cannot_be_polled(bot, bot_api, app):
    bot_api.fail("getUpdates", 401, "Unauthorized")
    result = app.test_cli_runner().invoke(args=["listen", "--once"])
    assert result.exit_code == 1 and "the bot token was refused" in result.output


def test_the_listener_brings_updates_in_as_they_arrive(bot, bot_api, app):
    stop = threading.Event()
    thread = threading.Thread(target=listen_to_bot, args=(app, bot.id, stop), kwargs={"wait_seconds": 2}, daemon=True)
    thread.start()
    try:
        time.sleep(0.3)
        bot_api.push(updates.text("arrived while listening"))
        assert committed_eventually(lambda: db.session.scalar(select(func.count()).select_from(Message)) == 1)
        assert db.session.scalar(select(Ticket.subject)) == "arrived while listening"
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


def test_two_listeners_on_one_bot_only_one_polls_it(bot, bot_api, app, monkeypatch):
    redis_url = _redis_url()
    app.config["HELPDESK_REDIS_URL"] = redis_url
    pollers: set[str] = set()
    real_poll = telegram_polling.poll_bot

    def recording_poll(account_id, **kwargs):
        pollers.add(threading.current_thread().name)
        return real_poll(account_id, **kwargs)

    monkeypatch.setattr(telegram_polling, "poll_bot", recording_poll)
    stop = threading.Event()
    threads = [threading.Thread(target=listen_to_bot, args=(app, bot.id, stop), kwargs={"wait_seconds": 0.5},
                                name=f"listener-{n}", daemon=True) for n in range(2)]
    for thread in threads:
        thread.start()
    try:
        bot_api.push(updates.text("only once"))
        assert committed_eventually(lambda: db.session.scalar(select(func.count()).select_from(Message)) == 1)
        time.sleep(1.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    assert len(pollers) == 1 and bot_api.calls.count("getUpdates") >= 2


def _redis_url() -> str:
    import redis

    from tests.support import redis_test_url, services_required

    REDIS_URL = redis_test_url(12)

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as exc:
        services_required("Redis", f"cannot reach {REDIS_URL}: {exc}")
    return REDIS_URL
