"""A new ticket's topic, at ingest: predicted by the current model, no refit.

Called inside the ingest transaction with the ticket's subject and first message; the row it
predicts is written by the same statement as the ticket's first message (and a tag's, when the
settings ask for topic tags, by one of its own). The
current model is kept in memory per process and reloaded when a refit or an admin's remap moves
its (id, version), read at most every CHECK_SECONDS.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass

from sqlalchemy import insert, select

from helpdesk.extensions import db
from helpdesk.models import TicketTag, TicketTopic, Topic, TopicModel, TopicSettings
from helpdesk.models.base import utcnow
from helpdesk.services.topics import model, text

log = logging.getLogger(__name__)
TAG_PREFIX = "topic:"


@dataclass
class _Loaded:
    key: tuple
    fitted: model.Fitted
    row_topics: list[int]
    tags: dict[int, str]  # topic id -> tag (visible topics only), when tagging is on


CHECK_SECONDS = 2.0
_cache: dict[str, _Loaded] = {}
_checked: dict[str, float] = {}  # database URL -> when its model's state was last read
_lock = threading.Lock()
_SETTINGS = select(TopicSettings).order_by(TopicSettings.id).limit(1).subquery()
# One read per new ticket: the current model's (id, version, fit time) and the tag setting's state.
_CURRENT = (select(TopicModel.id, TopicModel.version, TopicModel.fitted_at,
                   select(_SETTINGS.c.tag_tickets).scalar_subquery(), select(_SETTINGS.c.updated_at).scalar_subquery())
            .order_by(TopicModel.id.desc()).limit(1))


def tag_name(title: str) -> str:
    """The tag a topic puts on its tickets: "topic:" and its title in lower case, dashes for spaces."""
    slug = re.sub(r"[^\w]+", "-", title.lower(), flags=re.UNICODE).strip("-")
    return (TAG_PREFIX + slug)[:64]


def _load(key: tuple, tagging: bool) -> _Loaded:
    row = db.session.get(TopicModel, key[1])
    fitted = model.Fitted.from_bytes(list(row.words), row.idf, row.components)
    tags = {}
    if tagging:
        tags = {t.id: tag_name(t.title) for t in db.session.scalars(select(Topic).where(Topic.hidden.is_(False)))}
    return _Loaded(key, fitted, list(row.row_topics), tags)


def current() -> _Loaded | None:
    """The current model as loaded in this process (None before the first refit). Its state is
    read at most every CHECK_SECONDS: on a busy PostgreSQL each statement of the ingest
    transaction costs a round trip, and a refit or an admin's change elsewhere reaches this
    process that much later (this process's own changes call `forget`)."""
    url, now = str(db.engine.url), time.monotonic()
    loaded = _cache.get("model")
    if loaded is not None and loaded.key[0] == url and now - _checked.get(url, -CHECK_SECONDS) < CHECK_SECONDS:
        return loaded
    head = db.session.execute(_CURRENT).first()
    _checked[url] = now
    if head is None:
        _cache.pop("model", None)
        return None
    # The database too: tests (and tools) open several in one process, each with its model 1.
    key = (url, *head)
    if loaded is None or loaded.key != key:
        with _lock:
            loaded = _cache.get("model")
            if loaded is None or loaded.key != key:
                loaded = _cache["model"] = _load(key, bool(key[4]))
    return loaded


def topic_of(ticket_id: int) -> Topic | None:
    """The topic ticket `ticket_id` has (None before the first refit, or when none of its words was known)."""
    return db.session.scalar(select(Topic).join(TicketTopic, TicketTopic.topic_id == Topic.id)
                             .where(TicketTopic.ticket_id == ticket_id))


def forget() -> None:
    """Read the model's state again at the next prediction (after a refit or an admin's change)."""
    _checked.clear()


def predict(subject: str, body: str) -> tuple[int | None, float]:
    """(topic id, score) for a ticket's subject and first message; (None, 0.0) without a model or
    when none of its words is known."""
    loaded = current()
    if loaded is None:
        return None, 0.0
    row, score = loaded.fitted.predict(text.words(subject, body))
    return (loaded.row_topics[row], score) if row is not None else (None, 0.0)


def new_ticket_row(ticket_id: int, subject: str, body: str) -> dict | None:
    """The `ticket_topics` row of new ticket `ticket_id` (its predicted topic), for ingest to write
    with the ticket's own message (no statement of its own); None when there is no model or no known
    word. A failure to predict is logged and the ticket goes on without a topic: ingestion never
    fails for it."""
    try:
        loaded = current()
        if loaded is None:
            return None
        row, score = loaded.fitted.predict(text.words(subject, body))
    except Exception:  # noqa: BLE001
        log.exception("topic of ticket %s not predicted", ticket_id)
        return None
    if row is None:
        return None
    return {"ticket_id": ticket_id, "topic_id": loaded.row_topics[row], "score": round(score, 4),
            "model_id": loaded.key[1], "assigned_at": utcnow()}


def tag_new(ticket_id: int, topic_id: int) -> None:
    """Inside the caller's transaction: tag new ticket `ticket_id` with its topic, when the settings
    ask for topic tags and the topic is visible."""
    loaded = _cache.get("model")
    if loaded is not None and topic_id in loaded.tags:
        db.session.execute(insert(TicketTag).values(ticket_id=ticket_id, name=loaded.tags[topic_id]))
