"""SLA administration in the console (admins only): calendars, policies, a preview, and the
progress of the recomputation that follows every change."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.i18n import labels
from helpdesk.models import SlaCalendar, SlaPolicyConfig
from helpdesk.models.customers import TIERS
from helpdesk.services.sla import config as sla_config
from helpdesk.services.sla import recompute as sla_recompute
from helpdesk.services.sla.config import DAYS, TARGET_KINDS, SlaConfigError
from helpdesk.web import sla_forms
from helpdesk.web.common import BadInput, all_groups, assignable_users, get_or_404, optional_int

bp = Blueprint("sla_admin", __name__, url_prefix="/admin/sla")
CHANNELS = ("web", "api", "email", "webchat", "telegram", "whatsapp", "messenger")


@bp.before_request
@login_required
def _admins_only():
    if current_user.role != "admin":
        abort(404)


def _overview(preview=None, preview_args=None, status: int = 200):
    return render_template("admin/sla.html", calendars=sla_config.calendars(), policies=sla_config.policies(),
                           recompute=sla_recompute.latest(), preview=preview, preview_args=preview_args or {},
                           groups=all_groups(), tiers=TIERS, channels=CHANNELS,
                           format_duration=sla_forms.format_duration), status


@bp.get("")
def overview():
    """Calendars, policies in the order they are tried, the latest recomputation, the preview form."""
    return _overview()


@bp.get("/preview")
def preview():
    """"A ticket created now with these facts would be due at ..." for the active policies."""
    args = {key: request.args.get(key) or None for key in ("priority", "tier", "channel", "group_id")}
    try:
        facts = sla_config.facts_for(priority=args["priority"], tier=args["tier"], channel=args["channel"],
                                     group_id=optional_int(args["group_id"], "group_id"))
    except (SlaConfigError, BadInput) as exc:
        flash(_("No preview: %(reason)s.", reason=exc), "error")
        return _overview(preview_args=args, status=400)
    return _overview(preview=sla_config.preview(facts), preview_args=args)


@bp.get("/recompute.json")
def recompute_progress():
    """Progress of the latest recomputation, polled by the page while it runs."""
    row = sla_recompute.latest()
    if row is None:
        return jsonify(None)
    return jsonify({"id": row.id, "state": row.state, "state_name": labels.recompute_state_name(row.state),
                    "done": row.done, "total": row.total, "percent": row.percent, "reason": row.reason})


def _calendar_form(calendar: SlaCalendar | None, values: dict | None = None, status: int = 200):
    return render_template("admin/sla_calendar.html", calendar=calendar, values=values, days=DAYS), status


@bp.get("/calendars/new", defaults={"calendar_id": None})
@bp.get("/calendars/<int:calendar_id>")
def calendar_form(calendar_id: int | None):
    """The form for a new calendar or for changing one."""
    return _calendar_form(get_or_404(SlaCalendar, calendar_id) if calendar_id else None)


@bp.post("/calendars", defaults={"calendar_id": None})
@bp.post("/calendars/<int:calendar_id>")
def save_calendar(calendar_id: int | None):
    """Create or change a calendar; the form comes back with the error when it is invalid."""
    calendar = get_or_404(SlaCalendar, calendar_id) if calendar_id else None
    try:
        sla_config.save_calendar(calendar, **sla_forms.calendar_fields(request.form))
    except SlaConfigError as exc:
        db.session.rollback()
        flash(_("Calendar not saved: %(reason)s.", reason=exc), "error")
        return _calendar_form(calendar, request.form, 400)
    flash(_("Calendar saved; open tickets are being recomputed."), "ok")
    return redirect(url_for("sla_admin.overview"), code=303)


@bp.post("/calendars/<int:calendar_id>/delete")
def delete_calendar(calendar_id: int):
    """Delete a calendar that no policy uses."""
    try:
        sla_config.delete_calendar(get_or_404(SlaCalendar, calendar_id))
    except SlaConfigError as exc:
        db.session.rollback()
        flash(_("Calendar not deleted: %(reason)s.", reason=exc), "error")
        return redirect(url_for("sla_admin.overview"), code=303)
    flash(_("Calendar deleted."), "ok")
    return redirect(url_for("sla_admin.overview"), code=303)


def _policy_form(policy: SlaPolicyConfig | None, values=None, status: int = 200):
    targets = {t["kind"]: t for t in (policy.targets if policy else [])}
    return render_template("admin/sla_policy.html", policy=policy, values=values, targets=targets,
                           kinds=TARGET_KINDS, calendars=sla_config.calendars(), groups=all_groups(),
                           users=assignable_users(), tiers=TIERS, format_duration=sla_forms.format_duration), status


@bp.get("/policies/new", defaults={"policy_id": None})
@bp.get("/policies/<int:policy_id>")
def policy_form(policy_id: int | None):
    """The form for a new policy or for changing one."""
    return _policy_form(get_or_404(SlaPolicyConfig, policy_id) if policy_id else None)


@bp.post("/policies", defaults={"policy_id": None})
@bp.post("/policies/<int:policy_id>")
def save_policy(policy_id: int | None):
    """Create or change a policy; the form comes back with the error when it is invalid."""
    policy = get_or_404(SlaPolicyConfig, policy_id) if policy_id else None
    try:
        sla_config.save_policy(policy, **sla_forms.policy_fields(request.form))
    except (SlaConfigError, BadInput) as exc:
        db.session.rollback()
        flash(_("Policy not saved: %(reason)s.", reason=exc), "error")
        return _policy_form(policy, request.form, 400)
    flash(_("Policy saved; open tickets are being recomputed."), "ok")
    return redirect(url_for("sla_admin.overview"), code=303)


@bp.post("/policies/<int:policy_id>/delete")
def delete_policy(policy_id: int):
    """Delete a policy; its tickets fall to the next matching one."""
    sla_config.delete_policy(get_or_404(SlaPolicyConfig, policy_id))
    flash(_("Policy deleted."), "ok")
    return redirect(url_for("sla_admin.overview"), code=303)
