"""The chat widget's in-panel rating: what a survey sent on a web chat shows in the panel, and the
visitor's answer to it.

A survey's message on a `webchat` ticket carries, in the widget's history and live push, a
"rating": its opaque reference (never the ticket or survey id), its scale, its question (plain
text; the widget sets it with textContent) and whether it is still open. An answer names that
reference and is taken only from the visitor whose conversation the survey is on; it is recorded
by survey_answers like a link's, so the first answer wins whichever way it came.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import ChannelAccount, Message, Survey, Ticket
from helpdesk.models.base import utcnow
from helpdesk.models.surveys import SCALES
from helpdesk.services.surveys import answers as survey_answers
from helpdesk.services.surveys import settings as survey_settings
from helpdesk.services.surveys.answers import COMMENT_MAX, AnswerError, SurveyUnavailable

NOT_AVAILABLE = "This survey is not available."
THANKS = "Thank you for your rating!"


@dataclass(frozen=True)
class WidgetAnswer:
    """What the visitor's answer did: `recorded` or not, the words for the panel (`text`, and the
    offending `field` of an invalid answer) and the rating as it now stands (None: not theirs)."""

    recorded: bool
    text: str
    rating: dict | None = None
    field: str | None = None


def _state(survey: Survey) -> str:
    if survey.state == "answered":
        return "answered"
    if survey.state == "sent" and survey.expires_at is not None and survey.expires_at > utcnow():
        return "open"
    return "closed"  # expired (or no longer answerable for another reason)


def rating(survey: Survey) -> dict:
    """The rating the panel shows for `survey`: {ref, kind, low, high, question, state
    ("open" | "answered" | "closed"), score (once answered), comment_max}."""
    low, high = SCALES[survey.kind]
    question = survey_settings.template_for(survey.kind, survey.language).question
    return {"ref": survey.reference, "kind": survey.kind, "low": low, "high": high, "question": question,
            "state": _state(survey), "score": survey.score if survey.state == "answered" else None,
            "comment_max": COMMENT_MAX}


def ratings_for(messages: list[Message]) -> dict[int, dict]:
    """{message id: rating} for those of `messages` that carry a web chat survey (one query, none
    when no message is an automatic one)."""
    automated = [m.id for m in messages if m.is_automated and m.kind == "outbound"]
    if not automated:
        return {}
    found = db.session.scalars(select(Survey).where(Survey.message_id.in_(automated), Survey.channel == "webchat",
                                                    Survey.reference.is_not(None)))
    return {survey.message_id: rating(survey) for survey in found}


def _visitors_survey(account: ChannelAccount, visitor_id: str, reference: str) -> Survey | None:
    """The survey with `reference` if it was sent on this visitor's conversation on this widget."""
    if not reference or len(reference) > 24:
        return None
    return db.session.scalar(
        select(Survey).join(Ticket, Ticket.id == Survey.ticket_id)
        .where(Survey.reference == reference, Survey.channel == "webchat", Ticket.channel == "webchat",
               Ticket.source == account.source, Ticket.thread_key == visitor_id)
    )


def answer(account: ChannelAccount, visitor_id: str, reference: str, score: object,
           comment: object = None) -> WidgetAnswer:
    """Record the visitor's rating of survey `reference` (see survey_answers.record; commits).
    Refused, with the words to show, when the survey is not on this visitor's conversation, was
    answered already (the first answer stays), has expired, or the score or comment is invalid."""
    survey = _visitors_survey(account, visitor_id, str(reference or ""))
    if survey is None:
        return WidgetAnswer(False, NOT_AVAILABLE)
    try:
        survey_answers.record(survey, score, comment)
    except SurveyUnavailable as exc:
        db.session.refresh(survey)
        text = exc.message if exc.status != 404 else NOT_AVAILABLE
        return WidgetAnswer(False, text, rating(survey))
    except AnswerError as exc:
        return WidgetAnswer(False, exc.message, rating(survey), exc.field)
    return WidgetAnswer(True, THANKS, rating(survey))
