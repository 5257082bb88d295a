"""Administration in the console: priority and routing rules (admins only)."""

from __future__ import annotations

import json

from flask import Blueprint, flash, redirect, render_template, request, url_for

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import PriorityRule
from helpdesk.services import rules
from helpdesk.services.rules import RuleError
from helpdesk.web.common import BadInput, admins_only, all_groups, get_or_404, optional_int

bp = Blueprint("admin", __name__, url_prefix="/admin")


bp.before_request(admins_only)


def _conditions(form) -> dict:
    """Conditions from the rule form: comma-separated lists, empty fields meaning "any"."""
    def listed(name: str) -> list[str]:
        return [part.strip() for part in form.get(name, "").split(",") if part.strip()]

    return {"channel": listed("channel"), "tier": listed("tier"), "group": listed("group"),
            "keywords": listed("keywords"), "sender_priority": ["high"] if form.get("sender_priority") == "high" else []}


@bp.get("/rules")
def rule_list():
    """The ordered rules and a form to add one."""
    return render_template("admin/rules.html", rules=rules.ordered_rules(), groups=all_groups(),
                           group_names={g.id: g.name for g in all_groups()}, json=json)


@bp.post("/rules", defaults={"rule_id": None})
@bp.post("/rules/<int:rule_id>")
def save(rule_id: int | None):
    """Create or change a rule."""
    rule = get_or_404(PriorityRule, rule_id) if rule_id is not None else None
    form = request.form
    try:
        rules.save_rule(
            rule, name=form.get("name", ""), conditions=_conditions(form), set_priority=form.get("set_priority") or None,
            set_group_id=optional_int(form.get("set_group_id"), "set_group_id"),
            position=optional_int(form.get("position"), "position") or 1,
            active=form.get("active") == "1", stop=form.get("stop") == "1",
        )
    except (RuleError, BadInput) as exc:
        db.session.rollback()
        flash(_("Rule not saved: %(reason)s.", reason=exc), "error")
        return redirect(url_for("admin.rule_list"), code=303)
    flash(_("Rule saved."), "ok")
    return redirect(url_for("admin.rule_list"), code=303)


@bp.post("/rules/<int:rule_id>/delete")
def delete(rule_id: int):
    """Remove a rule."""
    db.session.delete(get_or_404(PriorityRule, rule_id))
    db.session.commit()
    flash(_("Rule deleted."), "ok")
    return redirect(url_for("admin.rule_list"), code=303)
