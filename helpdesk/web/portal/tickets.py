"""A signed-in customer's tickets: the list, one ticket's public conversation, replying with
files, closing and reopening, answering its survey, and downloading its files. Another
customer's ticket, note or file is a 404, never a 403."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for

from helpdesk.extensions import limiter
from helpdesk.models.surveys import SCALES
from helpdesk.services.attachments import AttachmentTooLarge, path_for
from helpdesk.services.portal import replies
from helpdesk.services.portal import tickets as portal_tickets
from helpdesk.services.surveys import answers as survey_answers
from helpdesk.services.surveys import settings as survey_settings
from helpdesk.web.attachments import as_download, viewable
from helpdesk.web.common import BadInput, uploaded_files
from helpdesk.web.portal.common import bp, current_customer, signed_in


def _ticket_or_404(ticket_id: int):
    try:
        return portal_tickets.get(current_customer(), ticket_id)
    except portal_tickets.NotFound:
        abort(404)


def _back(lang: str, ticket_id: int, anchor: str = ""):
    return redirect(url_for("portal.ticket", lang=lang, ticket_id=ticket_id) + anchor, 303)


@bp.get("/<lang>/")
@signed_in
def home(lang: str):
    """The customer's open requests (`?state=done`: solved and closed ones)."""
    state = "done" if request.args.get("state") == "done" else "open"
    page = min(max(request.args.get("page", 1, type=int), 1), 1000)
    customer = current_customer()
    shown, more = portal_tickets.list_for(customer, state=state, page=page)
    return render_template("portal/tickets.html", tickets=shown, state=state, page=page, more=more,
                           STATUS_WORDS=portal_tickets.CUSTOMER_STATUS, manager=customer.org_manager)


def _page(lang: str, ticket, *, error: str | None = None, text: str = "", status: int = 200):
    customer = current_customer()
    survey = portal_tickets.pending_survey(customer, ticket)
    question = survey_settings.template_for(survey.kind, survey.language or lang).question if survey else None
    return render_template("portal/ticket.html", ticket=ticket, messages=portal_tickets.public_messages(ticket),
                           survey=survey, question=question, scores=range(*_scale(survey)) if survey else (),
                           error=error, text=text, STATUS_WORDS=portal_tickets.CUSTOMER_STATUS,
                           max_files=10), status


def _scale(survey) -> tuple[int, int]:
    low, high = SCALES[survey.kind]
    return low, high + 1


@bp.get("/<lang>/tickets/<int:ticket_id>")
@signed_in
def ticket(lang: str, ticket_id: int):
    """One request: its public messages (never internal notes), the reply form, its survey."""
    return _page(lang, _ticket_or_404(ticket_id))


@bp.post("/<lang>/tickets/<int:ticket_id>/reply")
@signed_in
@limiter.limit("30 per minute")
def reply(lang: str, ticket_id: int):
    """The customer's message (and files) on the ticket, as their own inbound message."""
    found = _ticket_or_404(ticket_id)
    text = request.form.get("body", "")
    try:
        replies.reply(current_customer(), found, text, uploaded_files("files"))
    except BadInput as exc:
        return _page(lang, found, error=exc.message, text=text[:replies.BODY_MAX], status=422)
    except AttachmentTooLarge as exc:
        return _page(lang, found, error=str(exc), text=text[:replies.BODY_MAX], status=422)
    except portal_tickets.NotAllowed as exc:
        return _page(lang, found, error=exc.message, text=text[:replies.BODY_MAX], status=422)
    return _back(lang, ticket_id, "#last")


@bp.post("/<lang>/tickets/<int:ticket_id>/<any(close, reopen):action>")
@signed_in
def change(lang: str, ticket_id: int, action: str):
    """Close (the customer is done: solved) or reopen (solved, needs more help) the request."""
    found = _ticket_or_404(ticket_id)
    try:
        (portal_tickets.close if action == "close" else portal_tickets.reopen)(current_customer(), found)
    except portal_tickets.NotAllowed as exc:
        return _page(lang, found, error=exc.message, status=409)
    return _back(lang, ticket_id)


@bp.post("/<lang>/tickets/<int:ticket_id>/surveys/<int:survey_id>")
@signed_in
def survey(lang: str, ticket_id: int, survey_id: int):
    """The answer to the ticket's pending survey (the same rules as the mailed survey link)."""
    found = _ticket_or_404(ticket_id)
    try:
        row = portal_tickets.survey_of(current_customer(), found, survey_id)
        survey_answers.record(row, request.form.get("score"), request.form.get("comment", ""))
    except portal_tickets.NotFound:
        abort(404)
    except survey_answers.AnswerError as exc:
        return _page(lang, found, error=exc.message, status=422)
    except survey_answers.SurveyUnavailable as exc:
        return _page(lang, found, error=exc.message, status=exc.status)
    return redirect(url_for("portal.ticket", lang=lang, ticket_id=ticket_id, rated=1, _anchor="survey-thanks"), 303)


@bp.get("/files/<int:attachment_id>")
@signed_in
def file(attachment_id: int):
    """A file of a public message on a ticket the customer sees, as a download (an image or PDF
    whose bytes are what they claim inline, with `?view=1`)."""
    try:
        row = portal_tickets.attachment(current_customer(), attachment_id)
    except portal_tickets.NotFound:
        abort(404)
    path = path_for(row.storage_key)
    inline = request.args.get("view") == "1" and viewable(row.content_type.lower(), path)
    return as_download(path, row.content_type.lower() if inline else row.content_type, row.filename, row.sha256,
                       inline=inline)
