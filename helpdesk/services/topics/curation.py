"""The admins' hand on topics: rename, merge, pin, hide, and the topic settings. Each change is
audited, committed, and moves the current model's version so that every process reloads the
topic map and tags it predicts with."""

from __future__ import annotations

from sqlalchemy import select, update

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import TicketTopic, Topic, TopicModel
from helpdesk.models.base import utcnow
from helpdesk.services import audit
from helpdesk.services.topics import assign
from helpdesk.services.topics.refit import effective, settings
from helpdesk.services.transactions import begin_write

NAME_MAX = 120
LIMITS = {"topics": (2, 200), "window_days": (1, 3650), "max_tickets": (100, 2_000_000), "refit_hours": (0, 24 * 30)}


class TopicError(ValueError):
    """A change that cannot be made; `field` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


def topic_or_error(topic_id: int) -> Topic:
    topic = db.session.get(Topic, topic_id)
    if topic is None:
        raise TopicError("topic", _("no topic %(topic_id)s", topic_id=topic_id))
    return topic


def _touch_model(remap: dict[int, int] | None = None) -> None:
    current = db.session.scalar(select(TopicModel).order_by(TopicModel.id.desc()).limit(1))
    if current is not None:
        if remap:
            current.row_topics = [remap.get(t, t) for t in current.row_topics]
        current.version += 1
    assign.forget()  # this process predicts with the change at once; others within CHECK_SECONDS


def rename(topic_id: int, name: str | None) -> Topic:
    """Give topic `topic_id` a name (empty: back to its automatic label); kept across refits."""
    name = " ".join((name or "").split()) or None
    if name is not None and len(name) > NAME_MAX:
        raise TopicError("name", _("at most %(name_max)s characters", name_max=NAME_MAX))
    begin_write()
    topic = topic_or_error(topic_id)
    audit.record(None, "topic.rename", "topic", topic.id, before={"name": topic.name}, after={"name": name})
    topic.name, topic.updated_at = name, utcnow()
    _touch_model()
    db.session.commit()
    return topic


def set_flag(topic_id: int, flag: str, value: bool) -> Topic:
    """Pin (a refit keeps it) or hide (noise: out of reports and tags) topic `topic_id`, or undo it."""
    if flag not in ("pinned", "hidden"):
        raise TopicError("flag", _("must be pinned or hidden"))
    begin_write()
    topic = topic_or_error(topic_id)
    if getattr(topic, flag) != value:
        audit.record(None, f"topic.{flag}", "topic", topic.id, before={flag: not value}, after={flag: value})
        setattr(topic, flag, value)
        topic.updated_at = utcnow()
        _touch_model()
    db.session.commit()
    return topic


def merge(source_id: int, target_id: int) -> Topic:
    """Merge topic `source_id` into `target_id`: its tickets move to the target, and what the
    model (now and after each refit) finds for the source counts as the target. Returns the target."""
    begin_write()
    source, target = topic_or_error(source_id), topic_or_error(target_id)
    by_id = {t.id: t for t in db.session.scalars(select(Topic))}
    target = effective(target, by_id)
    if target.id == source.id or source.merged_into_id is not None:
        db.session.rollback()
        raise TopicError("target", _("a topic cannot be merged into itself or merged twice"))
    audit.record(None, "topic.merge", "topic", source.id, before={"merged_into_id": None},
                 after={"merged_into_id": target.id}, source=source.title, target=target.title)
    source.merged_into_id, source.updated_at = target.id, utcnow()
    target.size += source.size
    source.size = 0
    db.session.execute(update(Topic).where(Topic.merged_into_id == source.id, Topic.id != source.id)
                       .values(merged_into_id=target.id))
    db.session.execute(update(TicketTopic).where(TicketTopic.topic_id == source.id).values(topic_id=target.id))
    _touch_model({source.id: target.id})
    db.session.commit()
    return target


def update_settings(values: dict) -> None:
    """Change the topic settings: `topics`, `window_days`, `max_tickets`, `refit_hours` (numbers in
    LIMITS) and `tag_tickets` (bool); TopicError names the first bad value."""
    clean: dict = {}
    for field, (low, high) in LIMITS.items():
        if field in values:
            raw = str(values[field]).strip()
            if not raw.isdigit() or not low <= int(raw) <= high:
                raise TopicError(field, _("must be a whole number from %(low)s to %(high)s", low=low, high=high))
            clean[field] = int(raw)
    if "tag_tickets" in values:
        clean["tag_tickets"] = bool(values["tag_tickets"])
    begin_write()
    row = settings()
    before = {k: getattr(row, k) for k in clean if getattr(row, k) != clean[k]}
    if before:
        audit.record(None, "topic.settings", "topic_settings", row.id, before=before,
                     after={k: clean[k] for k in before})
        for key, value in clean.items():
            setattr(row, key, value)
        row.updated_at = utcnow()
    db.session.commit()
    assign.forget()
