"""Admission control: at most N requests run the application at once; the others wait their turn.

A web process has hundreds of threads because every open WebSocket holds one. Letting all of them
run requests at once helped nobody: 1,000 API clients on `helpdesk run` had 400 requests sharing one
core and a pool of 15 database connections, each request 400 times slower, 119 of them failing
after 30 s waiting for a connection, and half the throughput of 50 clients (bench/README, burst).
With a few requests running and the rest waiting in arrival order, each request runs at full
speed and none starves.

Socket.IO's transport (its own long-lived traffic) and /healthz pass straight through: a load
balancer's health check must not queue behind the load it is checking. The events sockets carry
(a visitor's message, an agent joining a ticket) take the same slots, through `for_socket_events`
(realtime.public_events): unlimited, 100 chatting visitors on one `helpdesk web` had 100 threads each
holding one of the 15 database connections and waiting for a second until the pool's 30 s time-out
(bench/README, scaling curve).
"""

from __future__ import annotations

import threading
from collections import deque

PASS_THROUGH = ("/socket.io", "/healthz")


class Slots:
    """`limit` slots handed out strictly in arrival order: a freed slot goes to the longest
    waiter, never to a request that arrived later (a plain semaphore lets newcomers barge in,
    which under a burst left some requests waiting many times the average)."""

    def __init__(self, limit: int) -> None:
        self._lock = threading.Lock()
        self._free = limit
        self._waiting: deque[threading.Event] = deque()

    def acquire(self, timeout: float) -> bool:
        """Take a slot, waiting up to `timeout` seconds for one; False when none came."""
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return True
            turn = threading.Event()
            self._waiting.append(turn)
        if turn.wait(timeout):
            return True
        with self._lock:
            if turn.is_set():  # handed over just as the wait ended
                return True
            self._waiting.remove(turn)
            return False

    def release(self) -> None:
        """Give the slot to the longest waiter, or back to the pool."""
        with self._lock:
            if self._waiting:
                self._waiting.popleft().set()
            else:
                self._free += 1


class Admission:
    """WSGI middleware: `limit` requests in the application at once, others wait up to `wait`
    seconds in arrival order (then 503 with Retry-After)."""

    def __init__(self, app, limit: int, wait: float) -> None:
        self.app = app
        self.limit = limit
        self.wait = wait
        self.slots = Slots(limit)

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith(PASS_THROUGH):
            return self.app(environ, start_response)
        if not self.slots.acquire(self.wait):
            start_response("503 Service Unavailable", [("Content-Type", "text/plain; charset=utf-8"),
                                                       ("Retry-After", "5")])
            return [b"The server is busy; try again in a few seconds.\n"]
        try:
            # The response is built by now (Flask's are; a streamed file is only read out later):
            # sending it to a slow client holds no slot.
            return self.app(environ, start_response)
        finally:
            self.slots.release()


def install(app, limit: int, wait: float) -> None:
    """Wrap `app.wsgi_app` (outermost) when `limit` is positive; its socket events share the slots."""
    if limit > 0:
        app.wsgi_app = Admission(app.wsgi_app, limit, wait)
        app.extensions["admission"] = app.wsgi_app


def for_socket_events(app) -> Admission | None:
    """The admission that `app`'s socket events go through, or None (not installed: tests, no limit)."""
    return app.extensions.get("admission") if app is not None else None
