"""What the scale-out tests share: a Redis database of the test module's own, emptied around each test."""

from __future__ import annotations

import pytest

from tests.support import reachable_redis


@pytest.fixture
def redis_url(request):
    """The module's REDIS_URL, flushed before and after the test; skipped (failed with CI=true)
    when Redis cannot be reached."""
    url = request.module.REDIS_URL
    client = reachable_redis(url)
    client.flushdb()
    yield url
    client.flushdb()
