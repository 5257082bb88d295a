"""Survey administration in the console (admins only): settings per kind (on/off, delay, channels,
rate limit, expiry, follow-up rule) and the templates per language."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from helpdesk.i18n import gettext as _
from helpdesk.models.surveys import SCALES, SURVEY_KINDS
from helpdesk.services.surveys import settings as survey_settings
from helpdesk.services.surveys.settings import FOLLOW_UP_ACTIONS, SURVEY_CHANNELS, SurveySettingsError

bp = Blueprint("survey_admin", __name__, url_prefix="/admin/surveys")


@bp.before_request
@login_required
def _admins_only():
    if current_user.role != "admin":
        abort(404)


def _page(status: int = 200, errors: dict | None = None, draft: dict | None = None):
    return render_template("admin/surveys.html", settings={k: survey_settings.settings_for(k) for k in SURVEY_KINDS},
                           templates=survey_settings.templates(), kinds=SURVEY_KINDS, scales=SCALES,
                           channels=SURVEY_CHANNELS, actions=FOLLOW_UP_ACTIONS, errors=errors or {},
                           draft=draft or {}), status


@bp.get("")
def overview():
    """Both kinds' settings and every template."""
    return _page()


@bp.post("/settings/<kind>")
def save_settings(kind: str):
    """Store one kind's settings; 400 with the field's error when a value is out of range."""
    if kind not in SURVEY_KINDS:
        abort(404)
    values = {name: request.form.get(name) for name in
              ("enabled", "delay_minutes", "min_days_between", "expiry_days", "follow_up_action", "follow_up_max_score")}
    values["channels"] = request.form.getlist("channels")
    try:
        survey_settings.update_settings(kind, values)
    except SurveySettingsError as exc:
        flash(_("%(kind)s settings not saved: %(field)s %(message)s.", kind=kind.upper(),
                field=exc.field.replace("_", " "), message=exc.message), "error")
        return _page(400, errors={kind: exc.field})
    flash(_("%(kind)s survey settings saved.", kind=kind.upper()), "success")
    return redirect(url_for(".overview"))


@bp.post("/templates")
@bp.post("/templates/<int:template_id>")
def save_template(template_id: int | None = None):
    """Add a template (or change one): kind, language, subject, body, question."""
    form = {name: request.form.get(name, "") for name in ("kind", "language", "subject", "body", "question")}
    try:
        survey_settings.save_template(form["kind"], form["language"], form, template_id)
    except SurveySettingsError as exc:
        flash(_("Template not saved: %(field)s %(message)s.", field=exc.field, message=exc.message), "error")
        return _page(400, draft=form | {"id": template_id})
    flash(_("%(kind)s template in %(language)s saved.", kind=form["kind"].upper(), language=form["language"]), "success")
    return redirect(url_for(".overview"))


@bp.post("/templates/<int:template_id>/delete")
def delete_template(template_id: int):
    """Delete a template (not an English one: the fallback of every language)."""
    try:
        survey_settings.delete_template(template_id)
    except SurveySettingsError as exc:
        flash(_("Template not deleted: %(message)s.", message=exc.message), "error")
        return _page(400)
    flash(_("Template deleted."), "success")
    return redirect(url_for(".overview"))
