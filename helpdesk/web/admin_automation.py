"""Administration of triggers and custom fields (admins only). Forms of a few rows each, no
script needed: each condition is a field, an operator and a value; each action a kind, a target
and a value (lists separated by commas)."""

from __future__ import annotations

from flask import Blueprint, render_template

from helpdesk.i18n import gettext as _
from helpdesk.models import CustomField, Trigger
from helpdesk.models.automation import EVENTS
from helpdesk.models.fields import ENTITIES, KINDS
from helpdesk.services.automation import actions as trigger_actions
from helpdesk.services.automation import conditions, triggers
from helpdesk.services.automation.conditions import ConditionError
from helpdesk.services.fields import definitions
from helpdesk.services.fields.definitions import FieldError
from helpdesk.web.admin_rows import Rows, register
from helpdesk.web.common import admins_only, all_groups, get_or_404

bp = Blueprint("admin_automation", __name__, url_prefix="/admin")
bp.before_request(admins_only)

ALL_ROWS, ANY_ROWS, ACTION_ROWS = 5, 3, 5
LISTED = ("in", "not_in", "contains", "not_contains", "includes", "excludes")
NUMERIC = ("gt", "gte", "lt", "lte", "during", "outside")


def _value(op: str, raw: str):
    raw = raw.strip()
    if op in LISTED:
        return [part.strip() for part in raw.split(",") if part.strip()]
    if op in NUMERIC:
        try:
            return int(raw) if raw.lstrip("-").isdigit() else float(raw)
        except ValueError:
            return raw  # the service names the row
    if raw.isdigit():
        return int(raw)  # ids (group, assignee) and numbers
    return {"true": True, "false": False, "": None}.get(raw.lower(), raw)


def parse_conditions(form, prefix: str, rows: int) -> list[dict]:
    found = []
    for i in range(rows):
        field = form.get(f"{prefix}_field_{i}", "").strip()
        if field:
            op = form.get(f"{prefix}_op_{i}", "is")
            found.append({"field": field, "op": op, "value": _value(op, form.get(f"{prefix}_value_{i}", ""))})
    return found


def _ids(raw: str) -> list:
    return [int(p) if p.strip().isdigit() else p.strip() for p in raw.split(",") if p.strip()]


def _action(kind: str, target: str, raw: str) -> dict:
    if kind == "set":
        value = int(raw) if target == "group_id" and raw.strip().isdigit() else raw.strip()
        return {"type": kind, "field": target, "value": value}
    if kind == "assign":
        return {"type": kind, "user_id": int(raw) if raw.strip().isdigit() else None}
    if kind in ("add_tags", "remove_tags"):
        return {"type": kind, "tags": [t.strip() for t in raw.split(",") if t.strip()]}
    if kind == "set_field":
        return {"type": kind, "key": target.strip(), "value": _value("is", raw)}
    if kind == "notify":
        return {"type": kind, "text": raw, "user_ids": _ids(target)}
    if kind == "reply":
        return {"type": kind, "body": raw}
    key = {"macro": "macro_id", "webhook": "webhook_id"}.get(kind, "id")
    return {"type": kind, key: int(raw) if raw.strip().isdigit() else raw}


def parse_actions(form) -> list[dict]:
    found = []
    for i in range(ACTION_ROWS):
        kind = form.get(f"act_type_{i}", "").strip()
        if kind:
            found.append(_action(kind, form.get(f"act_target_{i}", ""), form.get(f"act_value_{i}", "")))
    return found


def _trigger_data(form) -> dict:
    return {"name": form.get("name", ""), "event": form.get("event", ""),
            "position": int(form.get("position") or 0) if (form.get("position") or "0").lstrip("-").isdigit() else 0,
            "active": form.get("active") == "1", "stop": form.get("stop") == "1",
            "match_all": parse_conditions(form, "all", ALL_ROWS), "match_any": parse_conditions(form, "any", ANY_ROWS),
            "actions": parse_actions(form)}


@bp.get("/triggers")
def trigger_list():
    """Every trigger by event in order, and a form to add one."""
    return render_template("admin/triggers.html", triggers=triggers.ordered(), events=EVENTS,
                           **form_choices())


def form_choices() -> dict:
    custom = [f"custom.{f.key}" for f in definitions.active("ticket")] + \
             [f"customer.custom.{f.key}" for f in definitions.active("customer")] + \
             [f"organization.custom.{f.key}" for f in definitions.active("organization")]
    return {"fields": list(conditions.PLAIN_FIELDS) + custom, "ops": conditions.OPS, "action_types": trigger_actions.TYPES,
            "groups": all_groups(), "rows": {"all": ALL_ROWS, "any": ANY_ROWS, "act": ACTION_ROWS}}


@bp.get("/triggers/<int:trigger_id>")
def trigger_edit(trigger_id: int):
    """One trigger's form."""
    return render_template("admin/trigger.html", trigger=get_or_404(Trigger, trigger_id), events=EVENTS,
                           **form_choices())


@bp.get("/fields")
def field_list():
    """Every custom field, and a form to add one."""
    return render_template("admin/fields.html", fields=definitions.every_field(), entities=ENTITIES, kinds=KINDS)


def _field_data(form, row: CustomField | None) -> dict:
    data = {"label": form.get("label", ""), "options": [o.strip() for o in form.get("options", "").split(",") if o.strip()],
            "required_to_solve": form.get("required_to_solve") == "1", "active": form.get("active") == "1",
            "position": int(form.get("position") or 0) if (form.get("position") or "0").isdigit() else 0}
    if row is None:  # what a field is and holds is chosen once
        data |= {"entity": form.get("entity"), "key": form.get("key", "").strip(), "kind": form.get("kind")}
    return data


register(bp, "/triggers", "trigger", Rows(
    Trigger, lambda row: _("Trigger “%(name)s” saved.", name=row.name),
    lambda exc: _("Trigger not saved: %(reason)s.", reason=exc), lambda: _("Trigger deleted."),
    "admin_automation.trigger_list", lambda form, _row: _trigger_data(form), triggers.save, triggers.delete,
    (ConditionError,), edit="admin_automation.trigger_edit"))
register(bp, "/fields", "field", Rows(
    CustomField, lambda row: _("Field “%(name)s” saved.", name=row.label),
    lambda exc: _("Field not saved: %(reason)s.", reason=exc), lambda: _("Field deleted."),
    "admin_automation.field_list", _field_data, definitions.save, definitions.delete, (FieldError,)))
