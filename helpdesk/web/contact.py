"""The public contact form: the web-form channel, through the one ingestion path."""

from __future__ import annotations

import re
import uuid

from flask import Blueprint, current_app, render_template, request

from channels.web.form import FormSubmission, to_inbound
from helpdesk.extensions import limiter
from helpdesk.i18n import gettext as _
from helpdesk.i18n.formats import number
from helpdesk.services import customers
from helpdesk.services.ingest import ingest
from helpdesk.services.privacy import consent
from knowledge_base import activity as kb_activity

bp = Blueprint("contact", __name__)

_SUBMISSION_ID = re.compile(r"^[0-9a-f]{32}$")
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
LIMITS = {"name": 200, "email": 320, "subject": 255, "body": 20_000}


def validate(form) -> tuple[dict, dict[str, str]]:
    """The trimmed fields and a message per field that is wrong, in the visitor's language."""
    values = {name: (form.get(name) or "").strip() for name in LIMITS}
    errors = {name: _("at most %(limit)s characters", limit=number(limit))
              for name, limit in LIMITS.items() if len(values[name]) > limit}
    if not _EMAIL.match(values["email"]):
        errors.setdefault("email", _("enter the e-mail address we should answer"))
    if not values["body"]:
        errors.setdefault("body", _("tell us how we can help"))
    return values, errors


def _contact_limit() -> str:
    return current_app.config["HELPDESK_CONTACT_RATE_LIMIT"]


@bp.route("/contact", methods=["GET", "POST"])
@limiter.limit(_contact_limit, methods=["POST"])
def form():
    """Show the form, or turn a valid submission into a ticket (an e-mail answers it)."""
    if request.method == "GET":
        return render_template("contact/form.html", values={}, errors={}, submission_id=uuid.uuid4().hex)
    values, errors = validate(request.form)
    if errors:
        values |= {k: request.form.get(k, "") for k in ("consent_surveys", "consent_marketing")}
        return render_template("contact/form.html", values=values, errors=errors,
                               submission_id=request.form.get("submission_id", "")), 422
    # The id rendered into the form makes a double-click or a resubmitted page one ticket, not two.
    submission_id = request.form.get("submission_id", "")
    submission = FormSubmission(email=values["email"], name=values["name"] or None, subject=values["subject"] or None,
                                body=values["body"],
                                submission_id=f"form-{submission_id}" if _SUBMISSION_ID.match(submission_id) else None)
    # Nothing proves the sender owns the address: answers about consent count only for a customer
    # this submission creates, never over the choices of someone who already writes from it.
    known = customers.find_identity("email", customers.normalise_address("email", values["email"])) is not None
    result = ingest(to_inbound(submission, source="web"))
    # The articles suggested while typing did not answer it: the self-service session ends in a ticket.
    kb_activity.ticket_opened(request.form.get("kb_visitor"), result.ticket_id, source="portal")
    if request.form.get("consent_asked") == "1" and result is not None and not known:
        consent.record_answers(result.ticket_id, {"surveys": request.form.get("consent_surveys") == "1",
                                                  "marketing": request.form.get("consent_marketing") == "1"}, "form")
    return render_template("contact/thanks.html", number=result.ticket_id)
