"""Whether this process can serve: the checks behind `GET /readyz`.

Each check answers quickly (a short timeout) and reports what failed, so a load balancer takes the
process out of rotation and an operator sees why.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import text

from helpdesk.extensions import db

MIGRATIONS = Path(__file__).resolve().parent.parent.parent / "migrations"


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


def _database() -> Check:
    try:
        db.session.execute(text("SELECT 1"))
        return Check("database", True)
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return Check("database", False, exc.__class__.__name__)
    finally:
        db.session.rollback()


def schema_heads() -> set[str]:
    """The revisions the code expects the database to be at."""
    return set(ScriptDirectory(str(MIGRATIONS)).get_heads())


def _migrations() -> Check:
    try:
        current = set(db.session.scalars(text("SELECT version_num FROM alembic_version")))
    except Exception as exc:  # noqa: BLE001
        return Check("migrations", False, f"cannot read alembic_version: {exc.__class__.__name__}")
    finally:
        db.session.rollback()
    expected = schema_heads()
    if current != expected:
        return Check("migrations", False, f"database at {sorted(current)}, code at {sorted(expected)}: run `helpdesk db upgrade`")
    return Check("migrations", True)


def _redis(url: str) -> Check:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
        return Check("redis", True)
    except Exception as exc:  # noqa: BLE001
        return Check("redis", False, exc.__class__.__name__)


def _job_queue(huey) -> Check:
    try:
        huey.pending_count()
        return Check("job_queue", True)
    except Exception as exc:  # noqa: BLE001
        return Check("job_queue", False, exc.__class__.__name__)


def checks(huey) -> list[Check]:
    """Every readiness check of this process: database, schema at head, Redis and the job queue
    (`huey`, the Huey instance this process queues to)."""
    found = [_database(), _migrations()]
    redis_url = current_app.config.get("HELPDESK_REDIS_URL")
    if redis_url:
        found.append(_redis(redis_url))
    found.append(_job_queue(huey))
    return found
