"""Topics' jobs: the periodic refit (every `refit_hours` of the topic settings; the task looks
hourly whether one is due) and the refit an admin asks for. One refit at a time (a Huey lock)."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Flask, has_app_context
from huey import crontab
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.jobs.queue import huey
from helpdesk.models import TopicModel
from helpdesk.models.base import utcnow
from helpdesk.services.topics import assign as topic_assign
from helpdesk.services.topics import refit as topic_refit

log = logging.getLogger(__name__)
LOCK = "topics-refit"
_app: Flask | None = None


def init_app(app: Flask) -> None:
    global _app
    _app = app
    topic_assign.forget()  # a new app may be on another database (tests, tools): read its model afresh


def _due() -> bool:
    hours = topic_refit.settings().refit_hours
    db.session.commit()
    if not hours:
        return False
    last = db.session.scalar(select(TopicModel.fitted_at).order_by(TopicModel.id.desc()).limit(1))
    return last is None or utcnow() - last >= timedelta(hours=hours)


def _run(only_when_due: bool) -> int | None:
    with huey.lock_task(LOCK):
        if only_when_due and not _due():
            return None
        result = topic_refit.refit()
        log.info("topics refitted: %s", result)
        return result.model_id


@huey.periodic_task(crontab(minute="23"))
def refit_topics_when_due() -> int | None:
    """Hourly: refit the topic model when the last fit is older than the settings' interval."""
    with _app.app_context():
        return _run(only_when_due=True)


@huey.task()
def refit_topics() -> int | None:
    """Refit the topic model now (an admin asked); returns the new model's id."""
    if has_app_context():
        return _run(only_when_due=False)
    with _app.app_context():
        return _run(only_when_due=False)
