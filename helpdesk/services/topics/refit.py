"""Refit the topic model on recent tickets and carry the admins' choices across the refit.

In: the tickets created within the settings' window (newest first, at most `max_tickets`), each as
its subject and first customer message. Out: a new current `TopicModel`, the `Topic` rows matched,
created or retired, and every read ticket's `TicketTopic`.

Topic ids outlive a refit: each new topic is matched (one to one, by the cosine of their top
words) to a stored topic when they are alike enough, and takes over its id, name, hidden flag and
merge. A pinned topic that no new topic matches stays, as a row of the model built from the words
it had; an unpinned one is retired (kept for the tickets it already has). A new topic that
matches none becomes a new topic, labelled by its top words.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import Message, Ticket, Topic, TopicModel, TopicSettings
from helpdesk.models.base import utcnow
from helpdesk.services.topics import assign, languages, model, store, text
from helpdesk.services.transactions import begin_write

MATCH = 0.35  # cosine of top words above which a new topic is a stored one again
LABEL_TERMS = 3
BATCH = 10_000  # tickets per write transaction: ingestion goes on between them

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class RefitResult:
    model_id: int | None
    documents: int
    topics: int
    new: int
    kept: int
    retired: int
    seconds: float


def settings() -> TopicSettings:
    """The topic settings (created with the defaults on first use)."""
    row = db.session.scalar(select(TopicSettings).order_by(TopicSettings.id).limit(1))
    if row is None:
        row = TopicSettings(topics=20, window_days=90, max_tickets=200_000, tag_tickets=False, refit_hours=24)
        db.session.add(row)
        db.session.flush()
    return row


def corpus(window_days: int, limit: int) -> tuple[list[int], list[tuple[str, str]]]:
    """(ticket ids, [(subject, first customer message)]) of the tickets created in the last
    `window_days`, newest first, at most `limit`."""
    since = utcnow() - timedelta(days=window_days)
    first = (select(Message.ticket_id, func.min(Message.id).label("message_id"))
             .where(Message.kind == "inbound").group_by(Message.ticket_id).subquery())
    recent = (select(Ticket.id).where(Ticket.created_at >= since, Ticket.merged_into_id.is_(None))
              .order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(limit).subquery())
    query = (select(recent.c.id, Ticket.subject, Message.body_text)
             .join(Ticket, Ticket.id == recent.c.id)
             .outerjoin(first, first.c.ticket_id == recent.c.id)
             .outerjoin(Message, Message.id == first.c.message_id))
    ids, texts = [], []
    # Not through a server-side cursor: PostgreSQL plans a cursor for its first rows (cursor_tuple_fraction),
    # and this join's fast-start plan read 200,000 tickets in minutes instead of seconds.
    for ticket_id, subject, body in db.session.execute(query):
        ids.append(ticket_id)
        texts.append((subject or "", body or ""))
    return ids, texts


def label_of(terms: dict[str, float]) -> str:
    """A topic's automatic label: its heaviest words ("password / reset / login")."""
    return " / ".join(list(terms)[:LABEL_TERMS]) or "(no words)"


def effective(topic: Topic, by_id: dict[int, Topic]) -> Topic:
    """The topic `topic` was merged into (followed to the end), or itself."""
    seen = set()
    while topic.merged_into_id is not None and topic.merged_into_id in by_id and topic.id not in seen:
        seen.add(topic.id)
        topic = by_id[topic.merged_into_id]
    return topic


def match(new_terms: list[dict[str, float]], stored: list[Topic]) -> dict[int, Topic]:
    """{new row: stored topic} one to one, the most alike pairs first, each at least MATCH alike."""
    from scipy.optimize import linear_sum_assignment

    if not new_terms or not stored:
        return {}
    alike = np.array([[languages.cosine(terms, topic.terms or {}) for topic in stored] for terms in new_terms])
    rows, columns = linear_sum_assignment(-alike)
    return {int(r): stored[c] for r, c in zip(rows, columns, strict=True) if alike[r, c] >= MATCH}


def group_terms(fitted: model.Fitted, rows: list[int]) -> dict[str, float]:
    """The words of a topic found as `rows` (one per language): their top words taken in turn,
    so its label names it in each language ("password / contrasena / 密码")."""
    tops = [list(fitted.top_terms(row).items()) for row in rows]
    terms: dict[str, float] = {}
    for rank in range(max(map(len, tops), default=0)):
        for top in tops:
            if rank < len(top) and top[rank][0] not in terms:
                terms[top[rank][0]] = top[rank][1]
    return terms


def _topics_for_rows(fitted: model.Fitted, groups: list[int], now) -> tuple[model.Fitted, list[int], dict[str, int]]:
    """Match the fit's groups of rows to stored topics, create and retire topics (in the session);
    the model with pinned topics' rows added, each row's topic id, and the counts."""
    stored = list(db.session.scalars(select(Topic).order_by(Topic.id)))
    by_id = {t.id: t for t in stored}
    members: dict[int, list[int]] = {}
    for row, group in enumerate(groups):
        members.setdefault(group, []).append(row)
    new_terms = [group_terms(fitted, members[group]) for group in sorted(members)]
    matched = match(new_terms, stored)
    group_topics: list[int] = []
    created = 0
    for group, terms in enumerate(new_terms):
        topic = matched.get(group)
        if topic is None:
            topic = Topic(label=label_of(terms), terms=terms, pinned=False, hidden=False, active=True, size=0,
                          created_at=now, updated_at=now)
            db.session.add(topic)
            db.session.flush()
            by_id[topic.id] = topic
            created += 1
        else:
            topic.terms, topic.label, topic.active, topic.updated_at = terms, label_of(terms), True, now
        group_topics.append(effective(topic, by_id).id)
    row_topics = [group_topics[group] for group in groups]
    kept_pinned = [t for t in stored if t.pinned and t.merged_into_id is None and t not in matched.values()]
    for topic in kept_pinned:
        topic.active = True
        row_topics.append(topic.id)
    fitted = fitted.with_rows([t.terms or {} for t in kept_pinned])
    retired = 0
    for topic in stored:
        if topic not in matched.values() and topic not in kept_pinned and topic.active:
            topic.active = False
            retired += 1
    return fitted, row_topics, {"new": created, "kept": len(matched) + len(kept_pinned), "retired": retired}


def _assign(ids: list[int], matrix, fitted: model.Fitted, row_topics: list[int], model_id: int,
            progress: Progress) -> dict[int, int]:
    """Give each read ticket the topic its words score best on (as ingest does); a batch per
    transaction, so ingestion goes on between them. Returns the number of tickets per topic."""
    sizes: dict[int, int] = {}
    components = fitted.components[:, :matrix.shape[1]].T  # words added for pinned topics come after
    now = utcnow()
    for start in range(0, len(ids), BATCH):
        chunk = np.asarray(ids[start:start + BATCH], dtype=np.int64)
        scores = np.asarray(matrix[start:start + BATCH] @ components)
        if not scores.size:
            continue
        best = scores.argmax(axis=1)
        best_score = scores[np.arange(len(chunk)), best]
        found = best_score > 0
        topic_ids = np.asarray(row_topics, dtype=np.int64)[best[found]]
        for topic_id, count in zip(*np.unique(topic_ids, return_counts=True), strict=True):
            sizes[int(topic_id)] = sizes.get(int(topic_id), 0) + int(count)
        begin_write()
        store.assignments(chunk[found].tolist(), topic_ids.tolist(), np.round(best_score[found], 4).tolist(),
                          model_id, now)
        store.unassign(chunk[~found].tolist())
        db.session.commit()
        progress("assigning", min(start + BATCH, len(ids)), len(ids))
    return sizes


def refit(progress: Progress | None = None, *, seed: int = 0) -> RefitResult:
    """Fit a new model on recent tickets, match its topics to the stored ones, store it and give
    every read ticket its topic. Commits. `progress(stage, done, total)` follows the stages
    reading, words, fitting, assigning. With no ticket to read, nothing changes."""
    say = progress or (lambda *_: None)
    started = time.monotonic()
    config = settings()
    n_topics, window, limit = config.topics, config.window_days, config.max_tickets
    db.session.commit()
    ids, texts = corpus(window, limit)
    say("reading", len(ids), len(ids))
    documents, spoken = [], []
    for i, (subject, body) in enumerate(texts, 1):
        words, language = text.analyse(subject, body)
        documents.append(" ".join(words))
        spoken.append(language)
        if i % BATCH == 0 or i == len(texts):
            say("words", i, len(texts))
    keep = [i for i, d in enumerate(documents) if d]
    ids, documents, spoken = [ids[i] for i in keep], [documents[i] for i in keep], [spoken[i] for i in keep]
    if not documents:
        return RefitResult(None, 0, 0, 0, 0, 0, time.monotonic() - started)
    say("fitting", 0, 1)
    fitted, groups, matrix = model.fit_matrix(documents, n_topics, languages=spoken, seed=seed)
    say("fitting", 1, 1)
    now = utcnow()
    begin_write()
    fitted, row_topics, counts = _topics_for_rows(fitted, groups, now)
    idf, components = fitted.to_bytes()
    stored = TopicModel(fitted_at=now, version=1, words=fitted.words, idf=idf, components=components,
                        row_topics=row_topics, documents=len(documents), seconds=0.0)
    db.session.add(stored)
    db.session.commit()
    assign.forget()
    sizes = _assign(ids, matrix, fitted, row_topics, stored.id, say)
    begin_write()
    for topic in db.session.scalars(select(Topic)):
        topic.size = sizes.get(topic.id, 0)
    stored = db.session.get(TopicModel, stored.id)
    stored.seconds = round(time.monotonic() - started, 2)
    db.session.commit()
    return RefitResult(stored.id, len(documents), len(set(row_topics)), counts["new"], counts["kept"],
                       counts["retired"], stored.seconds)
