"""The periodic refit runs only when the last fit is older than the settings' interval."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.jobs import topics as topic_jobs
from helpdesk.models import TopicModel


def _models() -> int:
    return db.session.scalar(select(func.count()).select_from(TopicModel))


def test_the_periodic_refit_waits_for_its_interval(app, corpus, topic_settings):
    topic_settings.refit_hours = 0
    db.session.commit()
    assert topic_jobs._run(only_when_due=True) is None and _models() == 0  # 0: only by hand
    topic_settings.refit_hours = 24
    db.session.commit()
    first = topic_jobs._run(only_when_due=True)  # never fitted: due
    assert first is not None and _models() == 1
    assert topic_jobs._run(only_when_due=True) is None and _models() == 1  # fitted just now
    model = db.session.get(TopicModel, first)
    model.fitted_at -= timedelta(hours=25)
    db.session.commit()
    assert topic_jobs._run(only_when_due=True) not in (None, first) and _models() == 2
    # An admin's "refit now" does not wait.
    topic_jobs.refit_topics()
    assert _models() == 3
