"""Articles for a ticket: found from its subject and the customer's latest message, in the
customer's language when known (else guessed from the text); and the text an agent inserts."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Message, Ticket
from knowledge_base import languages
from knowledge_base.markdown import plain_text_blocks
from knowledge_base.models import KbTranslation
from knowledge_base.search import SearchResult, related_to_text, search
from knowledge_base.text import guess_language

TEXT_LIMIT = 2000


def ticket_text(ticket: Ticket) -> str:
    """The subject and the latest customer message (its first part, without quoted history)."""
    message = db.session.scalar(select(Message).where(Message.ticket_id == ticket.id, Message.kind == "inbound")
                                .order_by(Message.id.desc()).limit(1))
    body = ""
    if message is not None:
        body = message.body_text or ""
        if message.quoted_from and 0 < message.quoted_from <= len(body):
            body = body[:message.quoted_from]
    return f"{ticket.subject or ''}\n{body}"[:TEXT_LIMIT]


def ticket_language(ticket: Ticket, text: str) -> str:
    """The customer's language when their profile says it, else a guess from what they wrote."""
    return languages.normalise(ticket.customer.language if ticket.customer else None) or guess_language(text)


def for_ticket(ticket: Ticket, query: str | None = None, limit: int = 5) -> tuple[SearchResult, str]:
    """(suggested articles, language) for `ticket`; with `query`, what the agent searched instead.
    Agents see internal articles too (they are marked and never inserted into a reply)."""
    text = ticket_text(ticket)
    language = ticket_language(ticket, text)
    visibility = ("public", "internal")
    if query:
        result = search(query, language=None, visibility=visibility, limit=limit)
    else:
        result = related_to_text(text, language=language, visibility=visibility, limit=limit)
    return result, language


def insertion(translation: KbTranslation, url: str, mode: str) -> str:
    """What goes into the reply: the title and link, or the article as plain text followed by the link."""
    if mode == "text":
        return f"{translation.title}\n\n{plain_text_blocks(translation.body_md)}\n\n{url}\n"
    return f"{translation.title}: {url}\n"
