"""Administration of outbound webhooks (with their delivery log) and time-based automations
(admins only)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Automation, Webhook
from helpdesk.models.webhooks import WEBHOOK_EVENTS
from helpdesk.services.automation import conditions, timed, webhooks
from helpdesk.services.automation.conditions import ConditionError
from helpdesk.web.admin_automation import ALL_ROWS, ANY_ROWS, form_choices, parse_actions, parse_conditions
from helpdesk.web.admin_rows import Rows, register
from helpdesk.web.common import admins_only, get_or_404

bp = Blueprint("admin_webhooks", __name__, url_prefix="/admin")
bp.before_request(admins_only)


@bp.get("/webhooks")
def webhook_list():
    """Every endpoint with its state, and a form to add one."""
    rows = list(db.session.scalars(db.select(Webhook).order_by(Webhook.id)))
    return render_template("admin/webhooks.html", webhooks=rows, events=WEBHOOK_EVENTS, secret=None)


def _webhook_data(form, _row: Webhook | None) -> dict:
    return {"name": form.get("name", ""), "url": form.get("url", ""), "events": form.getlist("events"),
            "allow_private": form.get("allow_private") == "1", "active": form.get("active") == "1",
            "resume": form.get("resume") == "1", "rotate_secret": form.get("rotate_secret") == "1"}


def _save_webhook(row: Webhook | None, data: dict):
    """Create, change or resume an endpoint; a new (or rotated) secret is shown on this answer only,
    never stored in the clear."""
    row, secret = webhooks.save(row, data)
    if not secret:
        return row
    rows = list(db.session.scalars(db.select(Webhook).order_by(Webhook.id)))
    return row, render_template("admin/webhooks.html", webhooks=rows, events=WEBHOOK_EVENTS, secret=(row, secret))


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


def _automation_data(form, _row: Automation | None) -> dict:
    return {"name": form.get("name", ""), "active": form.get("active") == "1",
            "position": int(form.get("position") or 0) if (form.get("position") or "0").isdigit() else 0,
            "match_all": parse_conditions(form, "all", ALL_ROWS), "match_any": parse_conditions(form, "any", ANY_ROWS),
            "actions": parse_actions(form)}


register(bp, "/webhooks", "webhook", Rows(
    Webhook, lambda row: _("Webhook “%(name)s” saved.", name=row.name),
    lambda exc: _("Webhook not saved: %(reason)s.", reason=exc), lambda: _("Webhook deleted."),
    "admin_webhooks.webhook_list", _webhook_data, _save_webhook, webhooks.delete, (ConditionError,)))
register(bp, "/automations", "automation", Rows(
    Automation, lambda row: _("Automation “%(name)s” saved.", name=row.name),
    lambda exc: _("Automation not saved: %(reason)s.", reason=exc), lambda: _("Automation deleted."),
    "admin_webhooks.automation_list", _automation_data, timed.save, timed.delete, (ConditionError,)))
