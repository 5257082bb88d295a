"""Which visitors have the widget open (per conversation room), and their rate limits.

In-process for the embedded set-up; in Redis when several processes share the work, so the
outbox worker of any process knows whether a reply reaches the visitor live or has to wait.
"""

from __future__ import annotations

import threading

from flask import Flask, current_app
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


class VisitorsOnline:
    """Open widget connections per room, in this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._room_of: dict[str, str] = {}

    def add(self, sid: str, room: str) -> None:
        with self._lock:
            self._room_of[sid] = room

    def drop(self, sid: str) -> str | None:
        with self._lock:
            return self._room_of.pop(sid, None)

    def is_online(self, room: str) -> bool:
        return self.connections(room) > 0

    def connections(self, room: str) -> int:
        """How many widgets (tabs) of the room are connected."""
        with self._lock:
            return sum(1 for r in self._room_of.values() if r == room)


class RedisVisitorsOnline:
    """The same in Redis: a set of connection ids per room; entries of a crashed process expire."""

    TTL = 24 * 3600

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)

    def add(self, sid: str, room: str) -> None:
        with self._redis.pipeline() as pipe:
            pipe.sadd(f"helpdesk:chat-online:{room}", sid).expire(f"helpdesk:chat-online:{room}", self.TTL)
            pipe.set(f"helpdesk:chat-sid:{sid}", room, ex=self.TTL).execute()

    def drop(self, sid: str) -> str | None:
        room = self._redis.getdel(f"helpdesk:chat-sid:{sid}")
        if room is None:
            return None
        self._redis.srem(f"helpdesk:chat-online:{room.decode()}", sid)
        return room.decode()

    def is_online(self, room: str) -> bool:
        return self.connections(room) > 0

    def connections(self, room: str) -> int:
        return self._redis.scard(f"helpdesk:chat-online:{room}")


visitors: VisitorsOnline | RedisVisitorsOnline = VisitorsOnline()


def init(app: Flask) -> None:
    """Choose the registry and the rate-limit storage for this process's set-up (the one
    Flask-Limiter uses: memory, or Redis when scaled out)."""
    global visitors
    redis_url = app.config.get("HELPDESK_REDIS_URL")
    visitors = RedisVisitorsOnline(redis_url) if redis_url else VisitorsOnline()
    storage = storage_from_string(app.config.get("RATELIMIT_STORAGE_URI") or redis_url or "memory://")
    app.extensions["webchat_limits"] = MovingWindowRateLimiter(storage)


def allow(setting: str, *key: str) -> bool:
    """Count one hit against the rate in config `setting` (e.g. "20 per minute") for `key`; False
    once the rate is exceeded."""
    return current_app.extensions["webchat_limits"].hit(parse(current_app.config[setting]), "webchat", setting, *key)
