"""Saved-view endpoints: list (in the caller's order, with counts), create, read, change, move,
delete, and page through a view's tickets.

A personal view of someone else answers 404 like one that does not exist; a shared view that the
caller may see but not change (an agent) answers 403 to a change.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask.views import MethodView
from flask_smorest import abort

from helpdesk.api.auth import ProtectedBlueprint, current_staff
from helpdesk.api.errors import fail, service_errors
from helpdesk.api.schemas import Expanded
from helpdesk.api.view_schemas import (
    ViewChangesSchema,
    ViewListSchema,
    ViewSchema,
    ViewTicketPageSchema,
    ViewTicketsQuerySchema,
)
from helpdesk.models import SavedView
from helpdesk.services import saved_views, tickets
from helpdesk.services.saved_views import ViewError, ViewForbidden, ViewNotFound

blp = ProtectedBlueprint("api-views", __name__, url_prefix="/api/v1/views", description=(
    "Saved views of the ticket list: personal, or shared by admins and supervisors. Each caller sees "
    "the tickets of their own groups in a view, and sets their own order of views."))


@contextmanager
def _view_errors() -> Iterator[None]:
    try:
        yield
    except ViewError as exc:
        fail(422, "json", exc.field, exc.message)
    except ViewForbidden as exc:
        abort(403, message=str(exc))


def _view(view_id: int) -> SavedView:
    try:
        return saved_views.get_for(current_staff(), view_id)
    except ViewNotFound:
        abort(404, message=f"no view {view_id}")


def _dumped(view: SavedView, position: int | None = None) -> Expanded:
    user = current_staff()
    if position is None:
        position = next(i for i, v in enumerate(saved_views.visible_views(user)) if v.id == view.id)
    return Expanded(view, {"editable": saved_views.may_edit(user, view), "position": position,
                           "count": saved_views.count_for(user, view)})


@blp.route("")
class Views(MethodView):
    """The collection: the caller's views, and new ones."""

    @blp.response(200, ViewListSchema)
    def get(self):
        """List my views, in my order, with their counts"""
        views = saved_views.visible_views(current_staff())
        return {"items": [_dumped(v, i) for i, v in enumerate(views)]}

    @blp.arguments(ViewSchema)
    @blp.response(201, ViewSchema)
    def post(self, data: dict):
        """Save a view

        It goes last in the creator's order. Only admins and supervisors may create a shared one (403).
        """
        with _view_errors():
            view = saved_views.create_view(current_staff(), **data)
        return _dumped(view)


@blp.route("/<int:view_id>")
class ViewItem(MethodView):
    """One view."""

    @blp.response(200, ViewSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, view_id: int):
        """Read a view"""
        return _dumped(_view(view_id))

    @blp.arguments(ViewChangesSchema)
    @blp.response(200, ViewSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, changes: dict, view_id: int):
        """Change a view, or move it in my order

        Name, filters, sort, columns and sharing: the owner of a personal view, admins and supervisors
        for a shared one (403 otherwise). `position` (0 is first): anyone who sees the view.
        """
        view = _view(view_id)
        with _view_errors():
            saved_views.update_view(view, current_staff(), **changes)
        return _dumped(view)

    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, view_id: int):
        """Delete a view"""
        view = _view(view_id)
        with _view_errors():
            saved_views.delete_view(view, current_staff())


@blp.route("/<int:view_id>/tickets")
@blp.arguments(ViewTicketsQuerySchema, location="query")
@blp.response(200, ViewTicketPageSchema)
@blp.alt_response(404, response="NOT_FOUND")
def view_tickets(args: dict, view_id: int):
    """List a view's tickets

    The view's filters and sort, as seen by the caller (their groups' tickets), keyset-paginated.
    """
    view = _view(view_id)
    with service_errors("query"):
        return tickets.list_page(current_staff(), saved_views.filter_of(view), sort=view.sort, **args)
