"""One listener per channel account across every process and machine.

In the scale-out set-up several `helpdesk listen` processes may run; each mailbox (and later each
bot) must be read by exactly one of them at a time, or two would fetch, IDLE and flag the same
folder. A Redis lock with a time-to-live is the lease: the holder renews it after every pass, and
when the holder dies the lease runs out and another process takes over. The embedded set-up (no
Redis) has a single process, where leadership is trivially its own.
"""

from __future__ import annotations

import socket
import uuid

import redis
from redis.exceptions import LockError, RedisError

LEASE_SECONDS = 90


class Lease:
    """Leadership of one named resource; `hold()` takes or renews it and says whether we have it."""

    def hold(self) -> bool:
        return True

    def release(self) -> None:
        pass

    def within(self, seconds: float) -> float:
        """`seconds`, shortened so that waiting that long between renewals keeps the lease."""
        return seconds

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()


class RedisLease(Lease):
    def __init__(self, client: redis.Redis, name: str, seconds: int = LEASE_SECONDS) -> None:
        self.seconds = seconds
        token = f"{socket.gethostname()}:{uuid.uuid4().hex}"
        self.lock = client.lock(f"helpdesk:leader:{name}", timeout=seconds, blocking=False, thread_local=False)
        self.token = token.encode()

    def hold(self) -> bool:
        try:
            if self.lock.owned():
                self.lock.reacquire()
                return True
            return bool(self.lock.acquire(blocking=False, token=self.token))
        except (LockError, RedisError):
            return False

    def within(self, seconds: float) -> float:
        return min(seconds, self.seconds / 3)

    def release(self) -> None:
        try:
            if self.lock.owned():
                self.lock.release()
        except (LockError, RedisError):
            pass


def lease_for(name: str, redis_url: str | None) -> Lease:
    """The lease on `name`: shared through Redis when configured, else this process's alone."""
    if not redis_url:
        return Lease()
    return RedisLease(redis.Redis.from_url(redis_url), name)
