"""Helpers for tests that need a real server: skip on a laptop without it, fail in CI."""

from __future__ import annotations

import functools
import os
import socket
import threading
import time
from pathlib import Path

import pytest


def services_required(service: str, reason: str):
    """Skip with a clear reason, or fail when CI=true (a missing service in CI is a defect)."""
    message = f"{service} unavailable: {reason}"
    if os.environ.get("CI") == "true":
        pytest.fail(message + " (CI=true: required services must be present)", pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# socketserver's serve_forever looks for shutdown() every half second by default: each of the ~300
# tests that stop such a server in teardown waited ~0.45 s for it.
SHUTDOWN_POLL_SECONDS = 0.02


def serving_thread(server) -> threading.Thread:
    """A daemon thread, not yet started, that runs `server.serve_forever` and stops within 20 ms of
    `server.shutdown()`."""
    return threading.Thread(target=server.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS}, daemon=True)


# Real mail from other helpdesks' test suites, beside the project (../shared/corpus/mail) or where
# HELPDESK_MAIL_CORPUS points: an optional input, so its tests are skipped without it.
MAIL_CORPUS = Path(os.environ.get("HELPDESK_MAIL_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus" / "mail")


@functools.cache
def mail_corpus_files() -> tuple[Path, ...]:
    """The corpus's messages (.eml, .box), sorted; none when it is absent. Read once."""
    if not MAIL_CORPUS.is_dir():
        return ()
    return tuple(sorted(p for p in MAIL_CORPUS.rglob("*") if p.suffix in (".eml", ".box")))


# Marks a test that reads the corpus: an input file, not a service, so its absence skips even in CI.
needs_mail_corpus = pytest.mark.skipif(not mail_corpus_files(), reason=f"no mail corpus at {MAIL_CORPUS} (optional input)")


def redis_test_url(db: int) -> str:
    """HELPDESK_TEST_REDIS_URL with its database number replaced by `db`: each test file that
    flushes or sweeps Redis gets a database of its own, so files running in parallel never collide."""
    base = os.environ.get("HELPDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    head, _, tail = base.rpartition("/")
    return f"{head}/{db}" if tail.isdigit() else f"{base.rstrip('/')}/{db}"


def reachable_redis(url: str):
    """A Redis client of `url` that answered a ping; skipped (failed with CI=true) when it did not."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.RedisError as exc:
        services_required("Redis", f"cannot reach {url}: {exc}")
    return client


def committed_eventually(condition, seconds: float = 15) -> bool:
    """Whether `condition()` holds within `seconds`, re-reading what other threads or processes have
    committed before each try (the test session would otherwise keep seeing its own snapshot)."""
    from helpdesk.extensions import db

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.rollback()
        if condition():
            return True
        time.sleep(0.1)
    return False


def mailed_path(raw: bytes, prefix: str) -> str:
    """The path starting with `prefix` (e.g. "/account/invitation/") of the link in a mail's text."""
    import email
    import re
    from email import policy

    text = email.message_from_bytes(raw, policy=policy.default).get_body(("plain",)).get_content()
    match = re.search(r"https?://[^/\s]+(" + re.escape(prefix) + r"[A-Za-z0-9_\-]+)", text)
    assert match, text
    return match.group(1)
