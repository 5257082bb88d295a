"""Macros in the console: the page that manages them, and the composer's picker, preview and apply.

The picker and the preview are server-rendered fragments the composer script fetches; applying
answers JSON with the reply text, which the script puts into the composer for the agent to send.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models.macros import SCOPES
from helpdesk.services.macros import apply, library
from helpdesk.services.macros.library import MacroError, MacroNotFound
from helpdesk.services.replies import ReplyError
from helpdesk.services.tickets import TicketError
from helpdesk.web.common import BadInput, all_groups, assignable_users, optional_int, ticket_or_404

bp = Blueprint("macros", __name__)


@bp.before_request
@login_required
def _signed_in():
    """Every macro page needs a signed-in staff member."""


def _macro_or_404(macro_id: int):
    try:
        return library.get_for(current_user, macro_id)
    except MacroNotFound:
        abort(404)


def _listed(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def form_data(form) -> dict:
    """What library.save takes, from the macro form; empty fields mean "no such action"."""
    actions: dict = {}
    for name in ("status", "priority"):
        if form.get(name):
            actions[name] = form[name]
    if form.get("group_id"):
        actions["group_id"] = optional_int(form["group_id"], "group_id")
    assignee = form.get("assignee", "")
    if assignee == "me":
        actions["assign_to_me"] = True
    elif assignee == "none":
        actions["assignee_id"] = None
    elif assignee:
        actions["assignee_id"] = optional_int(assignee, "assignee")
    for name in ("add_tags", "remove_tags"):
        if _listed(form.get(name)):
            actions[name] = _listed(form.get(name))
    if form.get("note", "").strip():
        actions["note"] = form["note"]
    translations = {lang.strip(): text for lang, text in zip(form.getlist("translation_language"),
                                                             form.getlist("translation_text"), strict=False)
                    if lang.strip() or text.strip()}
    return {"name": form.get("name", ""), "body": form.get("body", ""), "translations": translations,
            "actions": actions, "scope": form.get("scope") or "personal",
            "group_id": optional_int(form.get("scope_group_id"), "scope_group_id")}


LABELS = {"status": "Status", "priority": "Priority", "group_id": "Group", "assignee_id": "Assignee", "tags": "Tags"}


class Names:
    """Group and staff names for describing macros in words (never `assignee_id 3`)."""

    def __init__(self) -> None:
        self.groups = {g.id: g.name for g in all_groups()}
        self.users = {u.id: u.name for u in assignable_users()}

    def value(self, field: str, value) -> str:
        if field == "tags":
            return ", ".join(value) if value else "no tags"
        if value is None:
            return "unassigned" if field == "assignee_id" else "none"
        if field == "group_id":
            return self.groups.get(value, f"group #{value}")
        if field == "assignee_id":
            return self.users.get(value, f"user #{value}")
        return str(value)

    def actions(self, actions: dict) -> list[str]:
        """A macro's actions as short phrases: "Status → pending", "add tags refund"."""
        parts = [f"{LABELS[f]} → {self.value(f, actions[f])}" for f in LABELS if f in actions]
        if actions.get("assign_to_me"):
            parts.append("Assign to me")
        parts += [f"{verb} tags {', '.join(actions[name])}" for name, verb in
                  (("add_tags", "add"), ("remove_tags", "remove")) if actions.get(name)]
        return parts + (["internal note"] if actions.get("note") else [])

    def changes(self, changes: dict) -> list[tuple[str, str, str]]:
        """(label, old, new) for each change a result holds."""
        return [(LABELS.get(f, f), self.value(f, old), self.value(f, new)) for f, (old, new) in changes.items()]


def _render_form(macro=None, error=None, status: int = 200):
    # After a refusal the form shows what was sent, not the stored macro, so nothing typed is lost.
    submitted = None
    if error is not None:
        try:
            submitted = form_data(request.form)
        except BadInput:
            submitted = {"actions": {}, "translations": {}}
    return render_template("macros/form.html", macro=macro, error=error, groups=all_groups(), users=assignable_users(),
                           scopes=SCOPES, submitted=submitted), status


@bp.get("/macros")
def macro_list():
    """Every macro the staff member may apply, the most used first, with what each does."""
    return render_template("macros/list.html", macros=library.search(current_user, request.args.get("q", ""), limit=500),
                           can_manage=lambda m: library.can_manage(current_user, m), q=request.args.get("q", ""),
                           names=Names())


@bp.get("/macros/new")
def new():
    """An empty macro form."""
    return _render_form()


@bp.get("/macros/<int:macro_id>")
def edit(macro_id: int):
    """The form of a macro this staff member manages (others: 404)."""
    macro = _macro_or_404(macro_id)
    if not library.can_manage(current_user, macro):
        abort(404)
    return _render_form(macro)


@bp.post("/macros", defaults={"macro_id": None})
@bp.post("/macros/<int:macro_id>")
def save(macro_id: int | None):
    """Create or change a macro from the form; the form again with the error when it is refused."""
    macro = _macro_or_404(macro_id) if macro_id is not None else None
    try:
        saved = library.save(current_user, form_data(request.form), macro)
    except (MacroError, BadInput) as exc:
        db.session.rollback()
        return _render_form(macro, error=exc, status=422)
    flash(_("Macro “%(name)s” saved.", name=saved.name), "ok")
    return redirect(url_for("macros.macro_list"), code=303)


@bp.post("/macros/<int:macro_id>/delete")
def delete(macro_id: int):
    """Delete a macro this staff member manages."""
    macro = _macro_or_404(macro_id)
    try:
        library.delete(current_user, macro)
    except MacroError as exc:
        flash(_("Not deleted: %(message)s.", message=exc.message), "error")
    else:
        flash(_("Macro deleted."), "ok")
    return redirect(url_for("macros.macro_list"), code=303)


@bp.get("/tickets/<int:ticket_id>/macros")
def picker(ticket_id: int):
    """The composer's macro search: matching macros as a list fragment."""
    ticket = ticket_or_404(ticket_id)
    found = library.search(current_user, request.args.get("q", ""), limit=20)
    return render_template("macros/_picker.html", ticket=ticket, macros=found)


@bp.get("/tickets/<int:ticket_id>/macros/<int:macro_id>/preview")
def preview(ticket_id: int, macro_id: int):
    """What the macro would do to this ticket, before the agent applies it."""
    ticket = ticket_or_404(ticket_id)
    macro = _macro_or_404(macro_id)
    result = apply.preview(ticket, macro, current_user)
    return render_template("macros/_preview.html", ticket=ticket, macro=macro, result=result, names=Names())


@bp.post("/tickets/<int:ticket_id>/macros/<int:macro_id>")
def apply_macro(ticket_id: int, macro_id: int):
    """Apply the macro's changes and note now; its reply goes into the agent's draft and back to
    the composer (JSON `{"reply": ...}`) to be reviewed and sent."""
    ticket = ticket_or_404(ticket_id)
    macro = _macro_or_404(macro_id)
    try:
        result = apply.apply(ticket, macro, current_user, reply_to="draft")
    except (TicketError, ReplyError) as exc:
        db.session.rollback()
        return jsonify(field=exc.field, message=exc.message), 422
    return jsonify(reply=result.reply or "", changes=result.changes, note=result.note)
