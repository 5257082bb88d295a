"""SLA endpoints: business calendars and policies (every staff member reads them, admins change
them), a preview of what a new ticket would be promised, a ticket's clocks, the latest recomputation.

Every change recomputes the open tickets in the background; follow it at `/sla/recomputes/latest`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask.views import MethodView
from flask_smorest import abort

from helpdesk.api.auth import ProtectedBlueprint, current_staff
from helpdesk.api.errors import fail
from helpdesk.api.sla_schemas import (
    CalendarSchema,
    PolicySchema,
    PreviewQuerySchema,
    PreviewSchema,
    RecomputeSchema,
    TicketSlaSchema,
)
from helpdesk.extensions import db
from helpdesk.models import SlaCalendar, SlaPolicyConfig
from helpdesk.services import tickets
from helpdesk.services.sla import clocks as sla_clocks
from helpdesk.services.sla import config as sla_config
from helpdesk.services.sla import recompute as sla_recompute
from helpdesk.services.sla.config import SlaConfigError

blp = ProtectedBlueprint("api-sla", __name__, url_prefix="/api/v1/sla", description=(
    "Service levels: calendars and policies (read by any staff member, changed by admins only; "
    "others get 403), a preview, a ticket's clocks."))


def _admin() -> None:
    if current_staff().role != "admin":
        abort(403, message="only admins change SLA settings")


@contextmanager
def _config_errors(location: str = "json", conflict: bool = False) -> Iterator[None]:
    """SlaConfigError as 422 naming the field (409 for a conflict such as a calendar still in use)."""
    try:
        yield
    except SlaConfigError as exc:
        fail(409 if conflict else 422, location, exc.field, exc.message)


def _row(model, row_id: int):
    row = db.session.get(model, row_id) if 0 < row_id < 2**31 else None
    if row is None:
        abort(404, message=f"no {model.__tablename__.removeprefix('sla_').rstrip('s')} {row_id}")
    return row


@blp.route("/calendars")
class Calendars(MethodView):
    @blp.response(200, CalendarSchema(many=True))
    def get(self):
        """List business calendars"""
        return sla_config.calendars()

    @blp.arguments(CalendarSchema)
    @blp.response(201, CalendarSchema)
    def post(self, data: dict):
        """Create a business calendar (admins)"""
        _admin()
        with _config_errors():
            return sla_config.save_calendar(None, **data)


@blp.route("/calendars/<int:calendar_id>")
class CalendarItem(MethodView):
    @blp.response(200, CalendarSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, calendar_id: int):
        """Read a business calendar"""
        return _row(SlaCalendar, calendar_id)

    @blp.arguments(CalendarSchema)
    @blp.response(200, CalendarSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def put(self, data: dict, calendar_id: int):
        """Replace a business calendar (admins)"""
        _admin()
        calendar = _row(SlaCalendar, calendar_id)
        with _config_errors():
            return sla_config.save_calendar(calendar, **data)

    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, calendar_id: int):
        """Delete a business calendar no policy uses (admins; 409 while one does)"""
        _admin()
        calendar = _row(SlaCalendar, calendar_id)
        with _config_errors("path", conflict=True):
            sla_config.delete_calendar(calendar)


@blp.route("/policies")
class Policies(MethodView):
    @blp.response(200, PolicySchema(many=True))
    def get(self):
        """List SLA policies in the order they are tried"""
        return sla_config.policies()

    @blp.arguments(PolicySchema)
    @blp.response(201, PolicySchema)
    def post(self, data: dict):
        """Create an SLA policy (admins)"""
        _admin()
        with _config_errors():
            return sla_config.save_policy(None, **data)


@blp.route("/policies/<int:policy_id>")
class PolicyItem(MethodView):
    @blp.response(200, PolicySchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, policy_id: int):
        """Read an SLA policy"""
        return _row(SlaPolicyConfig, policy_id)

    @blp.arguments(PolicySchema)
    @blp.response(200, PolicySchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def put(self, data: dict, policy_id: int):
        """Replace an SLA policy (admins)"""
        _admin()
        policy = _row(SlaPolicyConfig, policy_id)
        with _config_errors():
            return sla_config.save_policy(policy, **data)

    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, policy_id: int):
        """Delete an SLA policy (admins)"""
        _admin()
        sla_config.delete_policy(_row(SlaPolicyConfig, policy_id))


@blp.route("/preview", methods=["GET"])
@blp.arguments(PreviewQuerySchema, location="query")
@blp.response(200, PreviewSchema)
def preview(args: dict):
    """Preview: when would a ticket created now be due?

    The active policy that a ticket with these facts would get, and each target's due time if
    nothing pauses it (next response: as if the customer wrote now).
    """
    with _config_errors("query"):
        return sla_config.preview(sla_config.facts_for(**args))


@blp.route("/tickets/<int:ticket_id>", methods=["GET"])
@blp.response(200, TicketSlaSchema)
@blp.alt_response(404, response="NOT_FOUND")
def ticket_clocks(ticket_id: int):
    """A ticket's SLA clocks now (404 for a ticket outside the caller's groups)"""
    try:
        ticket = tickets.get_for(current_staff(), ticket_id)
    except tickets.TicketNotFound:
        abort(404, message=f"no ticket {ticket_id}")
    return sla_clocks.status_of(ticket)


@blp.route("/recomputes/latest", methods=["GET"])
@blp.response(200, RecomputeSchema)
@blp.alt_response(404, response="NOT_FOUND")
def latest_recompute():
    """The latest recomputation of the open tickets and its progress"""
    row = sla_recompute.latest()
    if row is None:
        abort(404, message="no recomputation yet")
    return row
