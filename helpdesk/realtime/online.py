"""Which staff members have the console open: one entry per Socket.IO connection, with the
credential it was opened with (`t<token id>` or `s<session>`), so a revoked token or an ended
session can close exactly its own connections.

In-process for the embedded set-up; in Redis (entries expire) when several web processes share
the work, so the dashboard of any process sees every connected agent, and a change made in one
process finds the user's connections in every other.
"""

from __future__ import annotations

import threading


class OnlineStaff:
    """Connections per staff member, in this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_sid: dict[str, tuple[int, str]] = {}

    def add(self, sid: str, user_id: int, credential: str = "") -> None:
        with self._lock:
            self._by_sid[sid] = (user_id, credential)

    def drop(self, sid: str) -> None:
        with self._lock:
            self._by_sid.pop(sid, None)

    def user_ids(self) -> set[int]:
        with self._lock:
            return {user_id for user_id, _ in self._by_sid.values()}

    def sockets_of(self, user_id: int) -> list[tuple[str, str]]:
        """(sid, credential) of every connection of `user_id`."""
        with self._lock:
            return [(sid, cred) for sid, (uid, cred) in self._by_sid.items() if uid == user_id]


class RedisOnlineStaff:
    """The same in a Redis hash shared by every web process; a crashed process's entries expire."""

    KEY = "helpdesk:online"
    TTL = 3600

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)

    def add(self, sid: str, user_id: int, credential: str = "") -> None:
        with self._redis.pipeline() as pipe:
            pipe.hset(self.KEY, sid, f"{user_id} {credential}").expire(self.KEY, self.TTL).execute()

    def drop(self, sid: str) -> None:
        self._redis.hdel(self.KEY, sid)

    def user_ids(self) -> set[int]:
        return {int(v.split()[0]) for v in self._redis.hvals(self.KEY)}

    def sockets_of(self, user_id: int) -> list[tuple[str, str]]:
        """(sid, credential) of every connection of `user_id`, in any process."""
        found = []
        for sid, value in self._redis.hgetall(self.KEY).items():
            uid, _, credential = value.decode().partition(" ")
            if int(uid) == user_id:
                found.append((sid.decode(), credential))
        return found


online: OnlineStaff | RedisOnlineStaff = OnlineStaff()


def init(redis_url: str | None) -> None:
    """Choose the registry for this process's set-up."""
    global online
    online = RedisOnlineStaff(redis_url) if redis_url else OnlineStaff()
