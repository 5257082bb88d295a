"""The public survey pages (no login): the rating form behind a survey link, and its answer."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from helpdesk.extensions import limiter
from helpdesk.models.surveys import SCALES
from helpdesk.services.surveys import answers as survey_answers
from helpdesk.services.surveys import sending as surveys
from helpdesk.services.surveys import settings as survey_settings

bp = Blueprint("surveys", __name__)


@bp.app_template_global("ticket_surveys")
def ticket_surveys(ticket_id: int):
    """The ticket's surveys for its page's sidebar (state, score, comment)."""
    return surveys.of_ticket(ticket_id)


def _unavailable(exc: survey_answers.SurveyUnavailable):
    return render_template("surveys/unavailable.html", message=exc.message), exc.status


def _form(survey, *, score=None, comment: str = "", error: str | None = None, status: int = 200):
    template = survey_settings.template_for(survey.kind, survey.language)
    low, high = SCALES[survey.kind]
    return render_template("surveys/form.html", survey=survey, question=template.question, scores=range(low, high + 1),
                           selected=score, comment=comment, error=error,
                           comment_max=survey_answers.COMMENT_MAX), status


@bp.route("/survey/<token>", methods=["GET", "POST"])
@limiter.limit("60 per minute")
def answer(token: str):
    """GET: the rating form, pre-selected with `?score=` (the one-click links of the e-mail).
    POST (CSRF-protected): record the score and comment. 404/410/409 for an unknown, expired or
    already answered link; 422 for a score off the scale. Nothing is stored unless all is valid."""
    try:
        survey = survey_answers.by_token(token)
    except survey_answers.SurveyUnavailable as exc:
        return _unavailable(exc)
    if request.method == "GET":
        return _form(survey, score=request.args.get("score", type=int))
    score, comment = request.form.get("score"), request.form.get("comment", "")
    try:
        survey_answers.record(survey, score, comment)
    except survey_answers.AnswerError as exc:
        return _form(survey, score=request.form.get("score", type=int), comment=comment[:5000], error=exc.message,
                     status=422)
    except survey_answers.SurveyUnavailable as exc:
        return _unavailable(exc)
    return render_template("surveys/thanks.html")
