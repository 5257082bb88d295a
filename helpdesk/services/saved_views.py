"""Saved views: a ticket list's filters, sort and columns under a name, personal or shared, in the
order each user sets, with the number of tickets each holds for that user.

A view stores filters, never tickets: whoever opens a shared view sees the tickets of their own
groups in it, through the same `tickets.filtered` the console's lists use.
"""

from __future__ import annotations

from dataclasses import asdict, fields

from sqlalchemy import delete, func, or_, select

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import SavedView, SavedViewPosition, Ticket, User
from helpdesk.models.base import utcnow
from helpdesk.services import tickets
from helpdesk.services.tickets import SORTS, TicketError, TicketFilter

COLUMNS = ("number", "subject", "customer", "status", "priority", "group", "assignee", "channel", "sla", "updated")
NAME_MAX = 100
MAX_VIEWS = 100  # per user, personal and shared together: the navigation shows them all
# Counting stops here: a navigation badge says "1000+" rather than scanning a huge backlog.
COUNT_CAP = 1000
# The TicketFilter fields a view may store (customer_id belongs to a customer's page, not a view).
# A customer's list and search's creation-date range are not what a saved view keeps.
FILTER_FIELDS = tuple(f.name for f in fields(TicketFilter)
                      if f.name not in ("customer_id", "created_from", "created_until"))
FILTER_TYPES = {"view": str, "statuses": list, "priorities": list, "group_id": (int, type(None)),
                "assignee_id": (int, type(None)), "unassigned": bool, "channel": (str, type(None)),
                "tag": (str, type(None)), "q": (str, type(None)), "custom": dict, "topic_id": (int, type(None)),
                "without_topic": bool}
BOOLEANS = ("unassigned", "without_topic")


class ViewError(ValueError):
    """A view that cannot be saved as asked; `field` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ViewNotFound(LookupError):
    """No such view, or one this user may not see."""


class ViewForbidden(PermissionError):
    """The user may see the view but not change it (a shared view, for an agent)."""


def may_share(user: User) -> bool:
    """Admins and supervisors manage shared views."""
    return user.role in ("admin", "supervisor")


def may_edit(user: User, view: SavedView) -> bool:
    """A personal view by its owner; a shared one by admins and supervisors."""
    return may_share(user) if view.shared else view.owner_id == user.id


def filter_of(view: SavedView) -> TicketFilter:
    """The view's stored filters as a TicketFilter (unknown keys from older versions are ignored)."""
    return TicketFilter(**{k: v for k, v in (view.filters or {}).items() if k in FILTER_FIELDS})


def _visible(user: User):
    return select(SavedView).where(or_(SavedView.owner_id == user.id, SavedView.shared.is_(True)))


def visible_views(user: User) -> list[SavedView]:
    """The views `user` sees (their own and the shared ones) in the order they set; views they
    never placed come after, oldest first."""
    position = (select(SavedViewPosition.position)
                .where(SavedViewPosition.user_id == user.id, SavedViewPosition.view_id == SavedView.id)
                .scalar_subquery())
    query = _visible(user).order_by(func.coalesce(position, 2**30), SavedView.id)
    return list(db.session.scalars(query))


def get_for(user: User, view_id: int) -> SavedView:
    """The view `view_id` if `user` may see it; ViewNotFound otherwise."""
    view = db.session.get(SavedView, view_id) if 0 < view_id <= tickets.MAX_ID else None
    if view is None or not (view.shared or view.owner_id == user.id):
        raise ViewNotFound(view_id)
    return view


def _clean_filters(user: User, filters: dict) -> dict:
    if unknown := set(filters) - set(FILTER_FIELDS):
        raise ViewError("filters", _("unknown filter(s) %(sorted)s", sorted=sorted(unknown)))
    for name, value in filters.items():
        if not isinstance(value, FILTER_TYPES[name]) or isinstance(value, bool) != (name in BOOLEANS):
            raise ViewError(f"filters.{name}", _("has the wrong type"))
        if isinstance(value, dict) and not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise ViewError(f"filters.{name}", _("must map field keys to text"))
        if isinstance(value, list) and not all(isinstance(item, str) for item in value):
            raise ViewError(f"filters.{name}", _("must be a list of strings"))
    f = TicketFilter(**filters)
    try:
        tickets.filtered(user, f)  # the same checks every list makes (view, statuses, priorities)
    except TicketError as exc:
        raise ViewError(f"filters.{exc.field}", exc.message) from None
    defaults = asdict(TicketFilter())
    return {k: v for k, v in asdict(f).items() if k in FILTER_FIELDS and (v != defaults[k] or k == "view")}


def _clean(user: User, view: SavedView | None, changes: dict) -> dict:
    clean: dict = {}
    if "name" in changes:
        name = " ".join(str(changes["name"] or "").split())
        if not 1 <= len(name) <= NAME_MAX:
            raise ViewError("name", _("must be 1 to %(name_max)s characters", name_max=NAME_MAX))
        clean["name"] = name
    if "filters" in changes:
        clean["filters"] = _clean_filters(user, dict(changes["filters"] or {}))
    if "sort" in changes:
        if changes["sort"] not in SORTS:
            raise ViewError("sort", _("must be one of %(list)s", list=list(SORTS)))
        clean["sort"] = changes["sort"]
    if "columns" in changes:
        columns = list(dict.fromkeys(changes["columns"] or ()))
        if bad := [c for c in columns if c not in COLUMNS]:
            raise ViewError("columns", _("unknown column(s) %(bad)s; choose among %(list)s", bad=bad, list=list(COLUMNS)))
        if not columns:
            raise ViewError("columns", _("choose at least one column"))
        clean["columns"] = [c for c in COLUMNS if c in columns]  # the table's own order
    if "shared" in changes:
        shared = bool(changes["shared"])
        if shared != (view.shared if view else False) and not may_share(user):
            raise ViewForbidden("only admins and supervisors share views")
        clean["shared"] = shared
    return clean


def create_view(user: User, *, name: str, filters: dict | None = None, sort: str = "updated",
                columns: list[str] | None = None, shared: bool = False) -> SavedView:
    """Save a new view owned by `user`, placed last in their navigation; commits.

    ViewError names a bad field; ViewForbidden when an agent asks for a shared view."""
    clean = _clean(user, None, {"name": name, "filters": filters or {}, "sort": sort,
                                "columns": columns or list(COLUMNS), "shared": shared})
    if len(visible_views(user)) >= MAX_VIEWS:
        raise ViewError("name", _("at most %(max_views)s views; delete one first", max_views=MAX_VIEWS))
    view = SavedView(owner_id=user.id, **clean)
    db.session.add(view)
    db.session.commit()
    return view


def update_view(view: SavedView, user: User, **changes) -> SavedView:
    """Change a view's name, filters, sort, columns or sharing (its editors only), and/or with
    `position` move it in `user`'s own order (anyone who sees it); commits."""
    position = changes.pop("position", None)
    if unknown := set(changes) - {"name", "filters", "sort", "columns", "shared"}:
        raise ViewError(sorted(unknown)[0], _("cannot be changed"))
    if changes:
        if not may_edit(user, view):
            raise ViewForbidden("only admins and supervisors change shared views")
        for name, value in _clean(user, view, changes).items():
            setattr(view, name, value)
        view.updated_at = utcnow()
    if position is not None:
        _move(user, view, position)
    db.session.commit()
    return view


def _move(user: User, view: SavedView, position: int) -> None:
    """Put `view` at `position` (0 is first) in `user`'s order, renumbering every view they see."""
    if not isinstance(position, int) or position < 0:
        raise ViewError("position", _("must be 0 or more"))
    order = [v for v in visible_views(user) if v.id != view.id]
    order.insert(min(position, len(order)), view)
    db.session.execute(delete(SavedViewPosition).where(SavedViewPosition.user_id == user.id))
    db.session.add_all(SavedViewPosition(user_id=user.id, view_id=v.id, position=i) for i, v in enumerate(order))


def delete_view(view: SavedView, user: User) -> None:
    """Delete a view (its editors only), and every user's place for it; commits."""
    if not may_edit(user, view):
        raise ViewForbidden("only admins and supervisors delete shared views")
    db.session.execute(delete(SavedViewPosition).where(SavedViewPosition.view_id == view.id))
    db.session.delete(view)
    db.session.commit()


def _count_query(user: User, view: SavedView):
    limited = tickets.filtered(user, filter_of(view)).with_only_columns(Ticket.id).limit(COUNT_CAP + 1)
    return select(func.count()).select_from(limited.subquery())


def count_for(user: User, view: SavedView) -> int:
    """How many tickets `view` holds for `user`, up to COUNT_CAP + 1 (more reads as "1000+")."""
    return db.session.scalar(_count_query(user, view))


def counts_for(user: User, views: list[SavedView]) -> dict[int, int]:
    """{view id: count_for(user, view)} for the navigation, in one statement (one round trip)."""
    if not views:
        return {}
    row = db.session.execute(select(*(_count_query(user, v).scalar_subquery() for v in views))).one()
    return {view.id: count for view, count in zip(views, row, strict=True)}


def count_label(count: int) -> str:
    """A badge's text: the number, or "1000+" past the cap."""
    return f"{COUNT_CAP}+" if count > COUNT_CAP else str(count)
