"""What the outbox adds to a survey's message: its template's subject and, for chat channels, one
button per score whose value is an opaque reference (never the ticket id)."""

from __future__ import annotations

from sqlalchemy import select

from channels.base import AUTO_GENERATED, Choice
from helpdesk.extensions import db
from helpdesk.models import Message, Survey, Ticket
from helpdesk.models.surveys import SCALES
from helpdesk.services.surveys import settings as survey_settings

REFERENCE_PREFIX = "sv"


def chat_reply(survey: Survey, score: int) -> str:
    """The value a chat button for `score` carries back: "sv:<reference>:<score>" (at most 20 bytes)."""
    return f"{REFERENCE_PREFIX}:{survey.reference}:{score}"


def is_chat_reply(value: str | None) -> bool:
    """True when a button's value has the shape `chat_reply` gives it."""
    return bool(value) and value.startswith(REFERENCE_PREFIX + ":")


def choices_for(survey: Survey) -> tuple[Choice, ...]:
    """One button per score of the survey's scale, lowest first (CSAT labelled with stars)."""
    low, high = SCALES[survey.kind]
    label = (lambda s: "★" * s) if survey.kind == "csat" else str
    return tuple(Choice(label(score), chat_reply(survey, score)) for score in range(low, high + 1))


def extras(message: Message, ticket: Ticket) -> dict:
    """Fields of the OutboundMessage for `message` beyond the plain reply's: {} unless it is a
    survey; then its subject (e-mail), choices (chat channels that show buttons) and its
    Auto-Submitted kind: generated, since it answers no message of the customer (RFC 3834)."""
    if not message.is_automated:
        return {}
    survey = db.session.scalar(select(Survey).where(Survey.message_id == message.id))
    if survey is None:
        return {}
    template = survey_settings.template_for(survey.kind, survey.language)
    subject = template.subject.format(customer_name=ticket.customer.name or "", ticket_subject=ticket.subject,
                                      ticket_number=ticket.number, link="")
    return {"subject": subject, "choices": choices_for(survey) if survey.reference else (),
            "auto_submitted": AUTO_GENERATED}
