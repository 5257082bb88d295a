"""Answers to surveys: by the link's token (public page) or by a chat button's reference, once.

The first answer wins: recording it is a conditional UPDATE (state sent and not expired), so a
second submission, a double click or two channels at once cannot overwrite it. A low score runs
the kind's follow-up rule: reopen the ticket through the tickets service, or notify its group and
assignee the way SLA alerts do.
"""

from __future__ import annotations

from dataclasses import dataclass

import nh3
from sqlalchemy import select, update

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.i18n import in_language, in_language_of
from helpdesk.models import Identity, Survey, Ticket, TicketEvent
from helpdesk.models.base import utcnow
from helpdesk.models.surveys import SCALES
from helpdesk.services import events, notifications, tickets
from helpdesk.services.surveys import settings as survey_settings
from helpdesk.services.surveys.outbound import REFERENCE_PREFIX
from helpdesk.services.surveys.sending import hash_token
from helpdesk.services.transactions import begin_write

COMMENT_MAX = 2000


class SurveyUnavailable(LookupError):
    """A survey that cannot be answered: `status` 404 (no such link), 410 (expired), 409 (answered)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class AnswerError(ValueError):
    """An answer that cannot be recorded; `field` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ChatAnswer:
    """What a chat button press did: the survey it answered (None: not ours) and what to tell the
    customer."""

    survey_id: int | None
    text: str
    recorded: bool = False


def _available(survey: Survey | None) -> Survey:
    if survey is None or survey.state in ("scheduled", "skipped", "failed"):
        raise SurveyUnavailable(404, _("This survey link is not valid."))
    if survey.state == "answered":
        raise SurveyUnavailable(409, _("This survey was already answered. Thank you!"))
    if survey.state == "expired" or (survey.expires_at is not None and survey.expires_at <= utcnow()):
        raise SurveyUnavailable(410, _("This survey has expired."))
    return survey


def by_token(token: str) -> Survey:
    """The answerable survey whose link carries `token`; SurveyUnavailable otherwise."""
    if not token or len(token) > 100:
        raise SurveyUnavailable(404, _("This survey link is not valid."))
    return _available(db.session.scalar(select(Survey).where(Survey.token_hash == hash_token(token))))


def clean_answer(kind: str, score: object, comment: object = None) -> tuple[int, str | None]:
    """(score, comment) validated for a survey of `kind`: the score on its scale, the comment
    stripped of any markup and at most COMMENT_MAX characters. AnswerError otherwise."""
    low, high = SCALES[kind]
    try:
        number = int(str(score).strip())
    except (TypeError, ValueError):
        raise AnswerError("score", _("choose a score from %(low)s to %(high)s", low=low, high=high)) from None
    if not low <= number <= high:
        raise AnswerError("score", _("choose a score from %(low)s to %(high)s", low=low, high=high))
    text = nh3.clean(str(comment or ""), tags=set()).strip() if comment else ""
    if len(text) > COMMENT_MAX:
        raise AnswerError("comment", _("must be at most %(comment_max)s characters", comment_max=COMMENT_MAX))
    return number, text or None


def record(survey: Survey, score: object, comment: object = None) -> Survey:
    """Record the answer to `survey` (see `clean_answer`), then run the follow-up rule; commits.
    SurveyUnavailable when it was answered or expired meanwhile (the first answer stays)."""
    # The caller read the survey; on SQLite that read could not turn into a write once a job
    # committed meanwhile (a chat's rating was lost to "database is locked"). Read it again as the writer.
    begin_write()
    _available(survey)
    number, text = clean_answer(survey.kind, score, comment)
    now = utcnow()
    result = db.session.execute(
        update(Survey).where(Survey.id == survey.id, Survey.state == "sent", Survey.expires_at > now)
        .values(state="answered", score=number, comment=text, responded_at=now))
    if result.rowcount != 1:
        db.session.rollback()
        db.session.refresh(survey)
        _available(survey)
        raise SurveyUnavailable(409, _("This survey was already answered. Thank you!"))
    db.session.add(TicketEvent(ticket_id=survey.ticket_id, kind="survey_answered", created_at=now,
                               data={"survey_id": survey.id, "kind": survey.kind, "score": number}))
    db.session.commit()
    db.session.refresh(survey)
    ticket = db.session.get(Ticket, survey.ticket_id)
    events.publish("survey.answered", events.ticket_payload(ticket) | {
        "survey_id": survey.id, "kind": survey.kind, "score": number})
    _follow_up(survey)
    return survey


def _low_rating(survey: Survey, ticket: Ticket) -> str:
    return _("Low %(kind)s rating %(score)s on #%(number)s: %(subject)s", kind=survey.kind.upper(), score=survey.score,
             number=ticket.number, subject=ticket.subject)


def _follow_up(survey: Survey) -> None:
    rule = survey_settings.settings_for(survey.kind).follow_up or {}
    action = rule.get("action", "none")
    if action == "none" or survey.score is None or survey.score > int(rule.get("max_score", -1)):
        return
    ticket = db.session.get(Ticket, survey.ticket_id)
    # Written for staff, whoever answered: the group's in the helpdesk's language, the assignee's in theirs.
    with in_language(None):
        text = _low_rating(survey, ticket)
    with in_language_of(ticket.assignee):
        own = _low_rating(survey, ticket)
    if action == "reopen" and ticket.status in ("solved", "closed") and ticket.merged_into_id is None:
        survey.follow_up_done = "reopened"
        db.session.add(TicketEvent(ticket_id=ticket.id, kind="survey_follow_up", created_at=utcnow(),
                                   data={"survey_id": survey.id, "action": "reopened", "score": survey.score}))
        notifications.notify_ticket(ticket, "survey_low", text, assignee_text=own)
        tickets.update_ticket(ticket, None, status="open")  # commits all, publishes the change
        return
    # "notify", or "reopen" of a ticket that is open again already: its people hear of it.
    notifications.notify_ticket(ticket, "survey_low", text, assignee_text=own)
    survey.follow_up_done = "notified"
    payload = events.ticket_payload(ticket) | {"changes": {}, "actor_id": None}
    db.session.commit()
    events.publish("ticket.updated", payload)


def answer_from_chat(value: str, identity_kind: str, address: str) -> ChatAnswer:
    """Record the score a customer pressed in a chat (`value` from survey_outbound.chat_reply), if the press
    comes from the survey's own customer (their `identity_kind` identity `address`); commits.
    Returns what to tell them; never raises for a stale, foreign or repeated press."""
    reference, _sep, score = value[len(REFERENCE_PREFIX) + 1:].partition(":")
    survey = db.session.scalar(select(Survey).where(Survey.reference == reference)) if reference else None
    owner = db.session.scalar(select(Identity.customer_id).where(Identity.kind == identity_kind,
                                                                 Identity.address == address))
    if survey is None or owner is None or owner != survey.customer_id:
        return ChatAnswer(None, "This survey is not available.")
    try:
        record(survey, score)
    except SurveyUnavailable as exc:
        return ChatAnswer(survey.id, exc.message)
    except AnswerError as exc:
        return ChatAnswer(survey.id, exc.message)
    return ChatAnswer(survey.id, "Thank you for your rating!", recorded=True)
