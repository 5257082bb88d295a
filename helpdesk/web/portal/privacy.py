"""The customer's own data in the portal: consent shown and changed, "download my data" (a job
prepares the archive and mails the link), "erase my data" (a request an admin approves)."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from helpdesk.extensions import limiter
from helpdesk.i18n import gettext as _
from helpdesk.models.privacy import PURPOSES
from helpdesk.services.portal import privacy
from helpdesk.services.portal.tickets import NotAllowed
from helpdesk.web.portal.common import bp, current_customer, signed_in


def _page(*, done: str | None = None, error: str | None = None, status: int = 200):
    customer = current_customer()
    return render_template("portal/privacy.html", consents=privacy.consents(customer), done=done, error=error,
                           pending=privacy.pending_erasure(customer), PURPOSES=PURPOSES), status


def _saved(lang: str, done: str):
    return redirect(url_for("portal.your_data", lang=lang, done=done, _anchor=done), 303)


@bp.get("/<lang>/privacy")
@signed_in
def your_data(lang: str):
    """What the customer agreed to, and the buttons for their data."""
    done = request.args.get("done")
    return _page(done=done if done in ("consent", "export", "erasure") else None)


@bp.post("/<lang>/privacy/consent")
@signed_in
def save_consent(lang: str):
    """Each purpose as yes or no (purposes not sent stay as they are)."""
    wanted = {p: request.form[p] == "yes" for p in PURPOSES if request.form.get(p) in ("yes", "no")}
    privacy.update_consents(current_customer(), wanted)
    return _saved(lang, "consent")


@bp.post("/<lang>/privacy/export")
@signed_in
@limiter.limit("3 per hour")
def export(lang: str):
    """Prepare the customer's data as one archive; the link is mailed to their address."""
    try:
        privacy.request_export(current_customer())
    except NotAllowed as exc:
        return _page(error=exc.message, status=422)
    return _saved(lang, "export")


@bp.post("/<lang>/privacy/erasure")
@signed_in
@limiter.limit("3 per hour")
def erasure(lang: str):
    """Ask to be erased; only with the confirmation ticked."""
    if request.form.get("confirm") != "yes":
        return _page(error=_("Tick the box to confirm that you want your data erased."), status=422)
    try:
        privacy.request_erasure(current_customer())
    except NotAllowed as exc:
        return _page(error=exc.message, status=409)
    return _saved(lang, "erasure")
