"""Administration of outbound webhooks (with their delivery log) and time-based automations
(admins only)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Automation, Webhook
from helpdesk.models.webhooks import WEBHOOK_EVENTS
from helpdesk.services.automation import conditions, timed, webhooks
from helpdesk.services.automation.conditions import ConditionError
from helpdesk.web.admin_automation import ALL_ROWS, ANY_ROWS, form_choices, parse_actions, parse_conditions
from helpdesk.web.common import admins_only, get_or_404

bp = Blueprint("admin_webhooks", __name__, url_prefix="/admin")
bp.before_request(admins_only)


@bp.get("/webhooks")
def webhook_list():
    """Every endpoint with its state, and a form to add one."""
    rows = list(db.session.scalars(db.select(Webhook).order_by(Webhook.id)))
    return render_template("admin/webhooks.html", webhooks=rows, events=WEBHOOK_EVENTS, secret=None)


@bp.post("/webhooks", defaults={"webhook_id": None})
@bp.post("/webhooks/<int:webhook_id>")
def webhook_save(webhook_id: int | None):
    """Create, change or resume an endpoint; a new one's secret is shown once."""
    row = get_or_404(Webhook, webhook_id) if webhook_id is not None else None
    form = request.form
    data = {"name": form.get("name", ""), "url": form.get("url", ""), "events": form.getlist("events"),
            "allow_private": form.get("allow_private") == "1", "active": form.get("active") == "1",
            "resume": form.get("resume") == "1", "rotate_secret": form.get("rotate_secret") == "1"}
    try:
        row, secret = webhooks.save(row, data)
    except ConditionError as exc:
        db.session.rollback()
        flash(_("Webhook not saved: %(reason)s.", reason=exc), "error")
        return redirect(url_for("admin_webhooks.webhook_list"), code=303)
    if secret:  # shown on this answer only, never stored in the clear
        rows = list(db.session.scalars(db.select(Webhook).order_by(Webhook.id)))
        return render_template("admin/webhooks.html", webhooks=rows, events=WEBHOOK_EVENTS, secret=(row, secret))
    flash(_("Webhook “%(name)s” saved.", name=row.name), "ok")
    return redirect(url_for("admin_webhooks.webhook_list"), code=303)


@bp.post("/webhooks/<int:webhook_id>/delete")
def webhook_delete(webhook_id: int):
    """Remove an endpoint and its log."""
    db.session.delete(get_or_404(Webhook, webhook_id))
    db.session.commit()
    flash(_("Webhook deleted."), "ok")
    return redirect(url_for("admin_webhooks.webhook_list"), code=303)


@bp.get("/webhooks/<int:webhook_id>/deliveries")
def webhook_deliveries(webhook_id: int):
    """The endpoint's delivery log, newest first."""
    row = get_or_404(Webhook, webhook_id)
    before = request.args.get("before", type=int)
    return render_template("admin/webhook_deliveries.html", webhook=row,
                           deliveries=webhooks.deliveries(row, before=before, limit=50))


@bp.get("/automations")
def automation_list():
    """Every automation in order, and a form to add one."""
    choices = form_choices()
    choices["fields"] = list(conditions.HOURS_FIELDS) + choices["fields"]
    return render_template("admin/automations.html", automations=timed.ordered(), **choices)


@bp.post("/automations", defaults={"automation_id": None})
@bp.post("/automations/<int:automation_id>")
def automation_save(automation_id: int | None):
    """Create or change an automation."""
    row = get_or_404(Automation, automation_id) if automation_id is not None else None
    form = request.form
    data = {"name": form.get("name", ""), "active": form.get("active") == "1",
            "position": int(form.get("position") or 0) if (form.get("position") or "0").isdigit() else 0,
            "match_all": parse_conditions(form, "all", ALL_ROWS), "match_any": parse_conditions(form, "any", ANY_ROWS),
            "actions": parse_actions(form)}
    try:
        row = timed.save(row, data)
    except ConditionError as exc:
        db.session.rollback()
        flash(_("Automation not saved: %(reason)s.", reason=exc), "error")
        return redirect(url_for("admin_webhooks.automation_list"), code=303)
    flash(_("Automation “%(name)s” saved.", name=row.name), "ok")
    return redirect(url_for("admin_webhooks.automation_list"), code=303)


@bp.post("/automations/<int:automation_id>/delete")
def automation_delete(automation_id: int):
    """Remove an automation."""
    db.session.delete(get_or_404(Automation, automation_id))
    db.session.commit()
    flash(_("Automation deleted."), "ok")
    return redirect(url_for("admin_webhooks.automation_list"), code=303)
