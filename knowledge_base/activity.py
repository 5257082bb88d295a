"""Recording what visitors and agents do with the knowledge base: searches, views, votes,
deflection outcomes and articles sent in replies. Every function commits."""

from __future__ import annotations

import logging
import re
import secrets
from datetime import timedelta

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Identity, Message
from helpdesk.models.base import utcnow
from helpdesk.services.transactions import commit_keeping_objects
from knowledge_base.models import KbArticle, KbDeflection, KbSearch, KbSent, KbView, KbVote

log = logging.getLogger(__name__)
VISITOR = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
TYPING_WINDOW = timedelta(seconds=60)
# Help-center article links in a reply: /help/<language>/articles/<id>[-slug]
ARTICLE_LINK = re.compile(r"/help/([a-z]{2,3})/articles/(\d{1,9})\b")


def new_visitor() -> str:
    """A random id for one visitor's self-service session."""
    return secrets.token_urlsafe(18)


def valid_visitor(value: str | None) -> str | None:
    """`value` when it looks like a visitor id (ours or the chat widget's), else None."""
    return value if value and VISITOR.match(value) else None


def _deflection(visitor: str, source: str, language: str | None) -> KbDeflection:
    row = db.session.scalar(select(KbDeflection).where(KbDeflection.visitor == visitor))
    if row is None:
        row = KbDeflection(visitor=visitor, source=source, language=language)
        db.session.add(row)
    row.updated_at = utcnow()
    return row


def record_search(query: str, *, language: str | None, source: str, results: int, visitor: str | None) -> None:
    """Keep a search. While one visitor types, the growing query updates one row instead of adding many."""
    query = query.strip()[:200]
    if not query:
        return
    now = utcnow()
    last = db.session.scalar(select(KbSearch).where(KbSearch.visitor == visitor).order_by(KbSearch.id.desc())
                             .limit(1)) if visitor else None
    typing = last is not None and now - last.updated_at < TYPING_WINDOW and (
        query.lower().startswith(last.query.lower()) or last.query.lower().startswith(query.lower()))
    if typing:
        last.query, last.results, last.updated_at = query, results, now
    else:
        db.session.add(KbSearch(query=query, language=language, source=source, results=results, visitor=visitor,
                                created_at=now, updated_at=now))
    if visitor and source in ("portal", "widget", "help"):
        _deflection(visitor, source, language)
    db.session.commit()


def record_view(article: KbArticle, *, language: str, source: str, visitor: str | None) -> None:
    """Keep an article view (and count it towards the visitor's self-service session)."""
    db.session.add(KbView(article_id=article.id, language=language, source=source, visitor=visitor))
    if visitor and source in ("portal", "widget", "help"):
        _deflection(visitor, source, language)
    db.session.commit()


def vote(article: KbArticle, *, language: str, visitor: str, helpful: bool, comment: str = "") -> KbVote:
    """Keep a visitor's "was this helpful?" answer (a second answer replaces the first). A helpful
    answer closes the visitor's self-service session as resolved, unless they already opened a ticket."""
    row = db.session.scalar(select(KbVote).where(KbVote.article_id == article.id, KbVote.visitor == visitor))
    if row is None:
        row = KbVote(article_id=article.id, visitor=visitor, language=language, helpful=helpful)
        db.session.add(row)
    row.helpful, row.language, row.comment, row.created_at = helpful, language, (comment or "").strip()[:1000], utcnow()
    session = db.session.scalar(select(KbDeflection).where(KbDeflection.visitor == visitor))
    if helpful and session is not None and session.outcome == "pending":
        session.outcome = "resolved"
    db.session.commit()
    return row


def ticket_opened(visitor: str | None, ticket_id: int, *, source: str = "portal", language: str | None = None) -> None:
    """The visitor still asked for help: their self-service session ends with this ticket.

    Called by the contact form, and meant for the chat widget when a conversation becomes a ticket.
    """
    visitor = valid_visitor(visitor)
    if not visitor:
        return
    session = _deflection(visitor, source, language)
    session.outcome, session.ticket_id = "ticket", ticket_id
    db.session.commit()


def record_sent(message_id: int) -> list[KbSent]:
    """Keep which articles an outbound reply linked to (inserted from the suggestions or typed). Commits."""
    # Columns, not the ORM object: the publisher's object is expired by its commit, and reloading
    # it here cost a reply ~1 ms of its ~10 when most replies link no article.
    message = db.session.execute(select(Message.id, Message.kind, Message.body_text, Message.ticket_id,
                                        Message.author_id).where(Message.id == message_id)).first()
    if message is None or message.kind != "outbound":
        return []
    found: dict[int, str] = {}
    for language, article_id in ARTICLE_LINK.findall(message.body_text or ""):
        found.setdefault(int(article_id), language)
    if not found:
        return []  # most replies link no article: spare them a read
    existing = set(db.session.scalars(select(KbArticle.id).where(KbArticle.id.in_(found))))
    already = set(db.session.scalars(select(KbSent.article_id).where(KbSent.message_id == message_id)))
    rows = [KbSent(ticket_id=message.ticket_id, message_id=message.id, article_id=a, language=found[a],
                   user_id=message.author_id) for a in found if a in existing and a not in already]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def chat_ticket_opened(ticket_id: int) -> None:
    """A ticket from the chat widget: if its visitor had searched the knowledge base through the
    widget (their visitor id sent as `visitor`), their self-service session ends in this ticket."""
    identity = db.session.scalar(select(Identity).join(Message, Message.identity_id == Identity.id).where(
        Message.ticket_id == ticket_id, Message.kind == "inbound").order_by(Message.id).limit(1))
    if identity is None or identity.kind != "webchat":
        return
    if db.session.scalar(select(KbDeflection.id).where(KbDeflection.visitor == identity.address)) is not None:
        ticket_opened(identity.address, ticket_id, source="widget")


def on_ticket_created(_sender, payload: dict) -> None:
    """`ticket.created` subscriber: close a chat visitor's self-service session with the ticket."""
    if payload.get("channel", "webchat") == "webchat":  # spare every other channel's tickets the read
        _quietly(chat_ticket_opened, payload["ticket_id"])


def on_message_created(_sender, payload: dict) -> None:
    """`message.created` subscriber: record articles sent in an outbound reply (an automatic answer
    quotes none: spare it the read)."""
    if payload.get("kind") == "outbound" and not payload.get("automated"):
        _quietly(record_sent, payload["message_id"])


def _quietly(record, *args) -> None:
    # Statistics must never fail the ticket or the reply whose event this is (both are committed).
    try:
        record(*args)
        # End the read too: the publisher's session goes on, and on SQLite a snapshot left open
        # cannot write once another connection has committed. Its objects stay as they are: the
        # publisher committed them, and nothing here changed them.
        commit_keeping_objects()
    except Exception:  # noqa: BLE001
        db.session.rollback()
        log.exception("knowledge base: could not record %s%r", record.__name__, args)
