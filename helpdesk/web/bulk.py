"""Bulk actions from a ticket list: the selected rows (or every ticket of the list) get one
change, one macro or one merge; the list comes back with a line saying what was done."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user, login_required

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.i18n import ngettext
from helpdesk.services import bulk
from helpdesk.services.macros import library
from helpdesk.services.macros.library import MacroNotFound
from helpdesk.services.tickets import TicketError
from helpdesk.web.common import BadInput, optional_int
from helpdesk.web.tickets import parse_filter

bp = Blueprint("bulk", __name__)


@bp.before_request
@login_required
def _signed_in():
    """Every bulk action needs a signed-in staff member."""


@bp.app_context_processor
def _macros_for_lists():
    # Lists render the bulk bar; the macros it offers are read only when a list is rendered.
    return {"bulk_macros": lambda: library.search(current_user, limit=100)}


def _back():
    # Only a path of this site: the form says which list to return to, and must not redirect away.
    target = request.form.get("back", "")
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or parts.scheme or parts.netloc:
        target = url_for("tickets.list_tickets")
    return redirect(target, code=303)


def _changes(form) -> dict:
    changes: dict = {}
    for name in ("status", "priority"):
        if form.get(f"set_{name}"):
            changes[name] = form[f"set_{name}"]
    if form.get("set_group_id"):
        changes["group_id"] = optional_int(form["set_group_id"], "group_id")
    assignee = form.get("set_assignee", "")
    if assignee == "me":
        changes["assignee_id"] = current_user.id
    elif assignee == "none":
        changes["assignee_id"] = None
    elif assignee:
        changes["assignee_id"] = optional_int(assignee, "assignee")
    for name in ("add_tags", "remove_tags"):
        tags = [t.strip() for t in form.get(name, "").split(",") if t.strip()]
        if tags:
            changes[name] = tags
    return changes


def _ids(form) -> list[int]:
    if form.get("all_in_view") == "1":
        f, _sort, _cursor = parse_filter(form)
        return bulk.ids_in_view(current_user, f)
    return [optional_int(value, "ids") for value in form.getlist("ids") if value]


def _report(outcomes: list[bulk.Outcome], verb: str) -> None:
    counts = bulk.summary(outcomes)
    flash(ngettext("%(num)d ticket %(verb)s.", "%(num)d tickets %(verb)s.", counts["done"], verb=verb), "ok")
    refused = [o for o in outcomes if not o.ok]
    if refused:
        reasons = "; ".join(f"#{o.id}: {o.error['field']} {o.error['message']}" for o in refused[:5])
        more = _(" and %(count)s more", count=len(refused) - 5) if len(refused) > 5 else ""
        flash(_("%(count)s not changed (%(reasons)s%(more)s).", count=len(refused), reasons=reasons, more=more), "error")


@bp.post("/tickets/bulk")
def run():
    """`action` = change | macro | merge, for the `ids` selected or, with `all_in_view=1`, every
    ticket of the list described by the filter fields the form carries."""
    form = request.form
    action = form.get("action")
    try:
        ids = _ids(form)
        if action == "change":
            _report(bulk.change_many(current_user, ids, _changes(form)), _("changed"))
        elif action == "macro":
            macro_id = optional_int(form.get("macro_id"), "macro_id")
            if macro_id is None:
                raise BadInput("macro_id", _("pick a macro"))
            _report(bulk.apply_macro_many(current_user, ids, library.get_for(current_user, macro_id)), _("updated by the macro"))
        elif action == "merge":
            target = optional_int(form.get("merge_into", "").strip().lstrip("#"), "merge_into")
            if target is None:
                raise BadInput("merge_into", _("give the number of the ticket to merge into"))
            _report(bulk.merge_many(current_user, ids, target), _("merged into #%(number)s", number=target))
        else:
            raise BadInput("action", _("must be change, macro or merge"))
    except MacroNotFound:
        flash(_("Nothing changed: no such macro."), "error")
    except (BadInput, TicketError) as exc:
        db.session.rollback()
        flash(_("Nothing changed: %(field)s %(message)s.", field=exc.field, message=exc.message), "error")
    return _back()
