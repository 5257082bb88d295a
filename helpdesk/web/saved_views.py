"""Saved views in the console: a view's ticket list, saving the list on screen as a view, the
navigation of views with their counts (re-fetched live), and arranging views (order, delete)."""

from __future__ import annotations

from urllib.parse import parse_qs

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from helpdesk.i18n import gettext as _
from helpdesk.i18n import lazy_gettext as _l
from helpdesk.services import saved_views, tickets
from helpdesk.services.saved_views import COLUMNS, ViewError, ViewForbidden, ViewNotFound
from helpdesk.services.tickets import TicketError
from helpdesk.web.common import BadInput, all_groups, assignable_users, preload
from helpdesk.web.tickets import CHANNELS, PAGE_SIZE, VIEW_TITLES, parse_filter

bp = Blueprint("saved_views", __name__)
COLUMN_TITLES = {"number": "#", "subject": _l("Subject"), "customer": _l("Customer"), "status": _l("Status"),
                 "priority": _l("Priority"), "group": _l("Group"), "assignee": _l("Assignee"), "channel": _l("Channel"),
                 "sla": _l("SLA"), "updated": _l("Updated")}


@bp.before_request
@login_required
def _signed_in():
    """Every view page needs a signed-in staff member."""


@bp.app_context_processor
def _navigation():
    """`saved_view_nav()` for the templates that show the navigation: computed only when called."""

    def saved_view_nav(current_id: int | None = None) -> dict:
        views = saved_views.visible_views(current_user)
        counts = saved_views.counts_for(current_user, views)
        return {"views": views, "labels": {i: saved_views.count_label(n) for i, n in counts.items()},
                "current_id": current_id}

    return {"saved_view_nav": saved_view_nav, "COLUMN_TITLES": COLUMN_TITLES}


def _view_or_404(view_id: int):
    try:
        return saved_views.get_for(current_user, view_id)
    except ViewNotFound:
        abort(404)


@bp.get("/views/<int:view_id>")
def show(view_id: int):
    """The ticket list of a view, in its sort and columns; `fragment=rows` for the live refresh."""
    view = _view_or_404(view_id)
    cursor = request.args.get("cursor") or None
    try:
        page = tickets.list_page(current_user, saved_views.filter_of(view), sort=view.sort, cursor=cursor,
                                 limit=PAGE_SIZE)
    except TicketError:
        abort(400)
    preload(page.items)
    context = {"filter": saved_views.filter_of(view), "sort": view.sort, "cursor": cursor, "page": page,
               "columns": view.columns}
    if request.args.get("fragment") == "rows":
        return render_template("tickets/_rows.html", **context)
    return render_template("tickets/list.html", views=VIEW_TITLES, groups=all_groups(), users=assignable_users(),
                           channels=CHANNELS, base_args={"view_id": view.id}, list_endpoint="saved_views.show",
                           saved_view=view, error=None, **context)


@bp.get("/views/nav")
def navigation():
    """The views with their counts: what the list page swaps in when tickets change."""
    return render_template("views/_nav.html", current_id=request.args.get("current", type=int))


def _form_changes() -> dict:
    """Name, sharing, columns and the list's filters (the query string it was saved from)."""
    query = MultiDict(parse_qs(request.form.get("query", "")[:2000]))
    f, sort, _cursor = parse_filter(query)
    filters = {k: v for k, v in vars(f).items() if k in saved_views.FILTER_FIELDS}
    columns = [c for c in request.form.getlist("columns") if c]
    return {"name": request.form.get("name", ""), "shared": request.form.get("shared") == "1",
            "filters": filters, "sort": sort, "columns": columns or list(COLUMNS)}


@bp.post("/views")
def create():
    """Save the list on screen as a view, then show it."""
    try:
        view = saved_views.create_view(current_user, **_form_changes())
    except (BadInput, TicketError, ViewError) as exc:
        flash(_("View not saved: %(field)s %(message)s.", field=exc.field, message=exc.message), "error")
        return redirect(url_for("tickets.list_tickets") + "?" + request.form.get("query", "")[:2000], code=303)
    except ViewForbidden as exc:
        flash(_("View not saved: %(reason)s.", reason=exc), "error")
        return redirect(url_for("tickets.list_tickets"), code=303)
    flash(_("View “%(name)s” saved.", name=view.name), "ok")
    return redirect(url_for("saved_views.show", view_id=view.id), code=303)


@bp.get("/views")
def arrange():
    """Every view this staff member sees, in their order, to move or delete."""
    views = saved_views.visible_views(current_user)
    editable = {v.id for v in views if saved_views.may_edit(current_user, v)}
    return render_template("views/arrange.html", saved=views, editable=editable)


@bp.post("/views/<int:view_id>/move")
def move(view_id: int):
    """Move a view one place up or down in this staff member's own order."""
    view = _view_or_404(view_id)
    ids = [v.id for v in saved_views.visible_views(current_user)]
    step = -1 if request.form.get("direction") == "up" else 1
    saved_views.update_view(view, current_user, position=max(0, ids.index(view.id) + step))
    return redirect(url_for("saved_views.arrange"), code=303)


@bp.post("/views/<int:view_id>/delete")
def delete(view_id: int):
    """Delete a view (its owner; admins and supervisors for shared ones)."""
    view = _view_or_404(view_id)
    try:
        saved_views.delete_view(view, current_user)
    except ViewForbidden as exc:
        flash(_("Not deleted: %(reason)s.", reason=exc), "error")
    else:
        flash(_("View “%(name)s” deleted.", name=view.name), "ok")
    return redirect(url_for("saved_views.arrange"), code=303)
