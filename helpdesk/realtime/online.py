"""Which staff members have the console open: one entry per Socket.IO connection.

In-process for the embedded set-up; in Redis (entries expire) when several web processes share
the work, so the dashboard of any process sees every connected agent.
"""

from __future__ import annotations

import threading


class OnlineStaff:
    """Connections per staff member, in this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_sid: dict[str, int] = {}

    def add(self, sid: str, user_id: int) -> None:
        with self._lock:
            self._by_sid[sid] = user_id

    def drop(self, sid: str) -> None:
        with self._lock:
            self._by_sid.pop(sid, None)

    def user_ids(self) -> set[int]:
        with self._lock:
            return set(self._by_sid.values())


class RedisOnlineStaff:
    """The same in a Redis hash shared by every web process; a crashed process's entries expire."""

    KEY = "helpdesk:online"
    TTL = 3600

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)

    def add(self, sid: str, user_id: int) -> None:
        with self._redis.pipeline() as pipe:
            pipe.hset(self.KEY, sid, user_id).expire(self.KEY, self.TTL).execute()

    def drop(self, sid: str) -> None:
        self._redis.hdel(self.KEY, sid)

    def user_ids(self) -> set[int]:
        return {int(v) for v in self._redis.hvals(self.KEY)}


online: OnlineStaff | RedisOnlineStaff = OnlineStaff()


def init(redis_url: str | None) -> None:
    """Choose the registry for this process's set-up."""
    global online
    online = RedisOnlineStaff(redis_url) if redis_url else OnlineStaff()
