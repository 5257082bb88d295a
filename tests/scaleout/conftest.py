"""What the scale-out tests share: a Redis database of the test module's own, emptied around each test."""

from __future__ import annotations

import pytest

from tests.support import services_required


@pytest.fixture
def redis_url(request):
    """The module's REDIS_URL, flushed before and after the test; skipped (failed with CI=true)
    when Redis cannot be reached."""
    import redis

    url = request.module.REDIS_URL
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.RedisError as exc:
        services_required("Redis", f"cannot reach {url}: {exc}")
    client.flushdb()
    yield url
    client.flushdb()
