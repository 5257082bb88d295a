"""The Asterisk bridge: read AMI events, post the call events they make to the helpdesk's CTI
webhook, signed like any PBX's (`helpdesk cti asterisk` runs it). Stdlib only.

A post that fails for a moment (connection refused, 5xx, 503 for a recording) is retried with
back-off; a 4xx is logged and dropped (the event is wrong, sending it again will not help). The
AMI connection is reopened after it drops, unless `once` (tests, cron).
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from channels.cti import signature
from channels.cti.ami import AmiConnection, AmiError, CallTracker

log = logging.getLogger(__name__)
Post = Callable[[dict], int]


@dataclass
class BridgeReport:
    events: int = 0
    posted: int = 0
    dropped: int = 0


def http_poster(url: str, secret: str, *, timeout: float = 10.0, attempts: int = 5) -> Post:
    """A function posting one payload to the webhook `url`, signed with `secret`; its final status
    (0 when the helpdesk could not be reached at all)."""

    def post(payload: dict) -> int:
        body = json.dumps(payload).encode()
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/json", signature.HEADER: signature.sign(body, secret)})
        status = 0
        for attempt in range(attempts):
            try:
                with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - the admin's URL
                    return response.status
            except urllib.error.HTTPError as exc:
                status = exc.code
                if exc.code < 500 and exc.code not in (408, 429):
                    return status
            except OSError as exc:
                log.warning("CTI webhook unreachable (%s); trying again", exc)
            time.sleep(min(0.5 * 2**attempt, 10))
        return status

    return post


def relay(connection: AmiConnection, post: Post, report: BridgeReport, tracker: CallTracker | None = None) -> None:
    """Post what every event of `connection` makes until the server closes it."""
    tracker = tracker or CallTracker()
    for message in connection.messages():
        if "Event" not in message:
            continue
        report.events += 1
        for payload in tracker.feed(message):
            status = post({k: v for k, v in payload.items() if v is not None})
            if 200 <= status < 300:
                report.posted += 1
            else:
                report.dropped += 1
                log.error("CTI webhook refused %s of call %s: HTTP %s", payload["event"], payload["call_id"], status)


def run(host: str, port: int, username: str, secret: str, post: Post, *, once: bool = False,
        stop: Callable[[], bool] = lambda: False) -> BridgeReport:
    """Log in to the AMI at host:port and relay its call events through `post`; reconnect with
    back-off when the connection drops (or return after the first connection when `once`)."""
    report, delay = BridgeReport(), 1.0
    while not stop():
        try:
            connection = AmiConnection(host, port)
            try:
                connection.login(username, secret)
                delay = 1.0
                relay(connection, post, report)
            finally:
                connection.close()
        except AmiError:
            raise
        except OSError as exc:
            log.warning("AMI %s:%s: %s", host, port, exc)
            if once:
                raise
        if once:
            break
        time.sleep(delay)
        delay = min(delay * 2, 60)
    return report
