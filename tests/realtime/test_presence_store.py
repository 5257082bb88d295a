"""Presence stores: in-process for the embedded set-up, Redis for several web processes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from helpdesk.realtime.agents import Presence, RedisPresence
from tests.support import redis_test_url, services_required

ANA = SimpleNamespace(id=1, name="Ana")
BEN = SimpleNamespace(id=2, name="Ben")


def flushed_redis() -> str:
    """This module's Redis database, emptied (skipped, or failed with CI=true, without Redis)."""
    import redis

    url = redis_test_url(13)
    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError as exc:
        services_required("Redis", str(exc))
    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture(params=["memory", "redis"])
def store(request):
    return Presence() if request.param == "memory" else RedisPresence(flushed_redis())


def test_two_tabs_of_one_agent_show_once_and_replying_wins(store):
    store.set("sid-1", 7, ANA, "viewing")
    store.set("sid-2", 7, ANA, "replying")
    store.set("sid-3", 7, BEN, "viewing")
    store.set("sid-4", 8, BEN, "viewing")
    assert store.on_ticket(7) == [{"user_id": 1, "name": "Ana", "state": "replying"},
                                  {"user_id": 2, "name": "Ben", "state": "viewing"}]


def test_dropping_a_socket_removes_only_its_entry(store):
    store.set("sid-1", 7, ANA, "viewing")
    store.set("sid-3", 7, BEN, "viewing")
    assert store.drop("sid-1") == 7
    assert store.drop("sid-1") is None
    assert [p["name"] for p in store.on_ticket(7)] == ["Ben"]


@pytest.fixture(params=["memory", "redis"])
def visitors(request):
    from helpdesk.webchat.presence import RedisVisitorsOnline, VisitorsOnline

    return VisitorsOnline() if request.param == "memory" else RedisVisitorsOnline(flushed_redis())


def test_the_chat_registry_counts_a_visitors_open_widgets(visitors):
    visitors.add("sid-1", "visitor:1:ana")
    visitors.add("sid-2", "visitor:1:ana")
    visitors.add("sid-3", "visitor:1:ben")
    assert (visitors.connections("visitor:1:ana"), visitors.is_online("visitor:1:ana")) == (2, True)
    assert visitors.drop("sid-1") == "visitor:1:ana"
    assert visitors.connections("visitor:1:ana") == 1
    visitors.drop("sid-2")
    assert (visitors.connections("visitor:1:ana"), visitors.is_online("visitor:1:ana")) == (0, False)
    assert visitors.connections("visitor:1:ben") == 1
