"""Agents' availability: `GET/PUT /api/v1/agents/<id>/availability`. An agent reads and sets their
own; admins and supervisors anyone's. Going offline hands back the agent's open chats."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import abort
from marshmallow import Schema, fields, validate

from helpdesk.api.auth import ProtectedBlueprint, current_staff
from helpdesk.extensions import db
from helpdesk.models import User
from helpdesk.models.routing import AVAILABILITY
from helpdesk.services.routing import availability

blp = ProtectedBlueprint("api-routing", __name__, url_prefix="/api/v1", description=(
    "Routing: agents' availability (online, away, offline). Only online agents under capacity are "
    "given work by a group's automatic assignment."))


class AvailabilitySchema(Schema):
    user_id = fields.Integer(dump_only=True)
    status = fields.String(required=True, validate=validate.OneOf(AVAILABILITY))
    reason = fields.String(dump_only=True, metadata={"description": "What set it: agent, admin, idle, signed out, "
                                                                    "console closed, console opened, never set."})
    changed_at = fields.DateTime(dump_only=True, allow_none=True)


def _agent(user_id: int) -> User:
    me = current_staff()
    if user_id != me.id and not me.sees_all_groups:
        abort(403, message="agents see and set only their own availability")
    user = db.session.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None:
        abort(404, message=f"no user {user_id}")
    return user


@blp.route("/agents/<int:user_id>/availability")
class Availability(MethodView):
    @blp.response(200, AvailabilitySchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, user_id: int):
        """An agent's availability"""
        return availability.status_of(_agent(user_id).id)

    @blp.arguments(AvailabilitySchema)
    @blp.response(200, AvailabilitySchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def put(self, data: dict, user_id: int):
        """Set an agent's availability (offline hands back their open chats and messaging conversations)"""
        user = _agent(user_id)
        availability.set_status(user, data["status"], "agent" if user.id == current_staff().id else "admin")
        return availability.status_of(user.id)
