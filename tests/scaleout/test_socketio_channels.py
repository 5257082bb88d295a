"""Two helpdesks on two databases of one Redis server: Redis pub/sub ignores database numbers, so
the Socket.IO fan-out channel is named after the database, and neither hears the other's events."""

from __future__ import annotations

import uuid

import pytest

from tests.scaleout.chat_cluster import SHOP, Listener, start_cluster
from tests.support import redis_test_url

REDIS_URL = redis_test_url(10)  # flushed: databases of this file's own (see tests/support.redis_test_url)
OTHER_REDIS_URL = redis_test_url(8)


@pytest.fixture
def cluster(pg_schema_url, redis_url, tmp_path):
    """Web process a (and the worker) on REDIS_URL, web process b on OTHER_REDIS_URL."""
    import redis

    other = redis.Redis.from_url(OTHER_REDIS_URL)
    other.flushdb()
    yield from start_cluster(pg_schema_url, (redis_url, OTHER_REDIS_URL), tmp_path / "instance")
    other.flushdb()


def test_helpdesks_on_two_databases_of_one_redis_server_do_not_hear_each_other(cluster):
    here, elsewhere, visitor = Listener("/agent"), Listener("/agent"), Listener("/chat", origin=SHOP)
    try:
        for listener, base in ((here, cluster["a"]), (elsewhere, cluster["b"])):
            listener.client.connect(base, namespaces=["/agent"], auth={"token": cluster["token"]},
                                    transports=["websocket"], wait_timeout=10)
        visitor.client.connect(cluster["a"], namespaces=["/chat"], auth={"key": cluster["key"]},
                               transports=["websocket"], wait_timeout=10)
        assert visitor.wait_for(lambda e, d: e == "welcome") is not None
        sent = visitor.client.call("post_message", {"text": "Anyone there?", "client_id": uuid.uuid4().hex},
                                   namespace="/chat", timeout=10)
        assert sent["ok"], sent
        assert here.wait_for(lambda e, d: e == "message.created" and d.get("message_id") == sent["id"]) is not None
        assert elsewhere.wait_for(lambda e, d: e == "message.created", timeout=3) is None, elsewhere.heard
    finally:
        for listener in (here, elsewhere, visitor):
            listener.close()
