"""The audit log viewer at /admin/audit (admins only): filters, pages, CSV and JSON export."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from flask import Blueprint, Response, abort, render_template, request, url_for

from helpdesk.i18n import gettext as _
from helpdesk.models.base import utcnow
from helpdesk.services import audit
from helpdesk.services.accounts import users as accounts
from helpdesk.services.reports.export import to_csv
from helpdesk.web.common import BadInput, admins_only, optional_int

bp = Blueprint("admin_audit", __name__, url_prefix="/admin/audit")
bp.before_request(admins_only)

PAGE = 100
EXPORT_MAX = 50_000


def _day(value: str | None, field: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        raise BadInput(field, _("must be a date YYYY-MM-DD")) from None


def filters_from(args) -> audit.Filters:
    """The viewer's filters from query arguments (dates are whole UTC days, `until` included)."""
    until = _day(args.get("until"), "until")
    return audit.Filters(action=(args.get("action") or "").strip()[:64] or None,
                         actor_id=optional_int(args.get("actor_id"), "actor_id"),
                         target_type=(args.get("target_type") or "").strip()[:32] or None,
                         target_id=optional_int(args.get("target_id"), "target_id"),
                         ip=(args.get("ip") or "").strip()[:45] or None,
                         since=_day(args.get("since"), "since"), until=until + timedelta(days=1) if until else None)


def _filters_or_400() -> audit.Filters:
    try:
        return filters_from(request.args)
    except BadInput as exc:
        abort(400, description=str(exc))


@bp.get("")
def overview():
    """The newest entries matching the filters, a page at a time."""
    filters = _filters_or_400()
    try:
        before = optional_int(request.args.get("before"), "before")
    except BadInput as exc:
        abort(400, description=str(exc))
    entries = audit.search(filters, before_id=before, limit=PAGE)
    args = {k: v for k, v in request.args.items() if k != "before" and v}
    older = url_for("admin_audit.overview", before=entries[-1].id, **args) if len(entries) == PAGE else None
    return render_template("admin/audit.html", rows=audit.as_rows(entries), args=args, older=older,
                           actions=audit.actions(), staff=accounts.list_users())


@bp.get("/export.<any(csv, json):fmt>")
def export(fmt: str):
    """Every entry matching the filters (newest first, at most EXPORT_MAX) as CSV or JSON."""
    rows = audit.as_rows(audit.search(_filters_or_400(), limit=EXPORT_MAX))
    if fmt == "json":
        body, mimetype = json.dumps(rows, ensure_ascii=False, indent=1), "application/json"
    else:
        flat = [{**r, **{k: json.dumps(r[k], ensure_ascii=False) for k in ("before", "after", "data")}} for r in rows]
        body, mimetype = to_csv(audit.EXPORT_COLUMNS, flat), "text/csv"
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="audit-{stamp}.{fmt}"'})
