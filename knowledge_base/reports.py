"""Knowledge-base reports over a period: top articles, deflection, searches without results, unhelpful votes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, select

from helpdesk.extensions import db
from helpdesk.models.base import utcnow
from knowledge_base.models import KbArticle, KbDeflection, KbSearch, KbSent, KbTranslation, KbView, KbVote

# A self-service session with no ticket counts as deflected once the visitor had this long to ask.
SETTLE = timedelta(minutes=30)


@dataclass(frozen=True)
class ArticleRow:
    article_id: int
    title: str
    count: int
    extra: int = 0


def _titles(ids) -> dict[int, str]:
    ids = list(ids)
    if not ids:
        return {}
    rows = db.session.execute(select(KbTranslation.article_id, KbTranslation.title, KbArticle.default_language,
                                     KbTranslation.language).join(KbArticle).where(KbTranslation.article_id.in_(ids)))
    titles: dict[int, str] = {}
    for article_id, title, default, language in rows:
        if language == default or article_id not in titles:
            titles[article_id] = title
    return titles


def _rows(pairs) -> list[ArticleRow]:
    pairs = list(pairs)
    titles = _titles(p[0] for p in pairs)
    return [ArticleRow(p[0], titles.get(p[0], f"#{p[0]}"), p[1], p[2] if len(p) > 2 else 0) for p in pairs]


def top_articles(since: datetime, limit: int = 10) -> list[ArticleRow]:
    """Most viewed articles (count) with how often agents sent them (extra)."""
    sent = select(KbSent.article_id, func.count().label("n")).where(KbSent.created_at >= since).group_by(
        KbSent.article_id).subquery()
    query = (select(KbView.article_id, func.count().label("views"), func.max(func.coalesce(sent.c.n, 0)))
             .outerjoin(sent, sent.c.article_id == KbView.article_id).where(KbView.created_at >= since)
             .group_by(KbView.article_id).order_by(func.count().desc()).limit(limit))
    return _rows(db.session.execute(query))


def deflecting_articles(since: datetime, limit: int = 10) -> list[ArticleRow]:
    """Articles read in self-service sessions that ended without a ticket (count), and with one (extra)."""
    settled = utcnow() - SETTLE
    deflected = and_(KbDeflection.outcome != "ticket",
                     (KbDeflection.outcome == "resolved") | (KbDeflection.created_at < settled))
    query = (select(KbView.article_id, func.count(func.distinct(case((deflected, KbDeflection.id)))),
                    func.count(func.distinct(case((KbDeflection.outcome == "ticket", KbDeflection.id)))))
             .join(KbDeflection, KbDeflection.visitor == KbView.visitor).where(KbView.created_at >= since)
             .group_by(KbView.article_id).order_by(func.count(func.distinct(case((deflected, KbDeflection.id))))
                                                   .desc()).limit(limit))
    return [r for r in _rows(db.session.execute(query)) if r.count]


def deflection_summary(since: datetime) -> dict:
    """Self-service sessions: how many, resolved or deflected (no ticket), and still opened a ticket."""
    settled = utcnow() - SETTLE
    rows = dict(db.session.execute(select(KbDeflection.outcome, func.count()).where(
        KbDeflection.created_at >= since).group_by(KbDeflection.outcome)).all())
    pending_settled = db.session.scalar(select(func.count()).where(
        KbDeflection.created_at >= since, KbDeflection.outcome == "pending", KbDeflection.created_at < settled))
    total = sum(rows.values())
    deflected = rows.get("resolved", 0) + (pending_settled or 0)
    return {"sessions": total, "deflected": deflected, "tickets": rows.get("ticket", 0),
            "rate": round(100 * deflected / total, 1) if total else None}


def searches_without_results(since: datetime, limit: int = 20) -> list[tuple[str, str | None, int]]:
    """(query, language, times) of searches that found nothing, most frequent first."""
    query = (select(func.lower(KbSearch.query), KbSearch.language, func.count()).where(
        KbSearch.created_at >= since, KbSearch.results == 0).group_by(func.lower(KbSearch.query), KbSearch.language)
        .order_by(func.count().desc()).limit(limit))
    return [tuple(r) for r in db.session.execute(query)]


def unhelpful_articles(since: datetime, limit: int = 10) -> list[ArticleRow]:
    """Articles with the most "not helpful" votes (count) and their helpful votes (extra)."""
    no = func.sum(case((KbVote.helpful.is_(False), 1), else_=0))
    query = (select(KbVote.article_id, no, func.sum(case((KbVote.helpful.is_(True), 1), else_=0)))
             .where(KbVote.created_at >= since).group_by(KbVote.article_id).order_by(no.desc()).limit(limit))
    return [r for r in _rows(db.session.execute(query)) if r.count]


def unhelpful_comments(since: datetime, limit: int = 20) -> list[KbVote]:
    """The latest comments left with a "not helpful" vote."""
    return list(db.session.scalars(select(KbVote).where(KbVote.created_at >= since, KbVote.helpful.is_(False),
                                                        KbVote.comment != "").order_by(KbVote.id.desc()).limit(limit)))


def overview(days: int = 30) -> dict:
    """Every report over the last `days` days."""
    since = utcnow() - timedelta(days=days)
    return {"days": days, "top": top_articles(since), "deflecting": deflecting_articles(since),
            "deflection": deflection_summary(since), "no_results": searches_without_results(since),
            "unhelpful": unhelpful_articles(since), "comments": unhelpful_comments(since)}
