"""Notification endpoints: my notifications (newest first, `unread` to filter), mark one read,
mark all read, and whether they also come by e-mail. Another staff member's answers 404."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import abort
from marshmallow import Schema, fields, validate

from helpdesk.api.auth import ProtectedBlueprint, current_staff
from helpdesk.api.schemas import MAX_ID, Timestamp, page_limit
from helpdesk.services import notifications
from helpdesk.services.notifications import NotificationNotFound

blp = ProtectedBlueprint("api-notifications", __name__, url_prefix="/api/v1/notifications", description=(
    "The caller's own notifications: mentions in internal notes, tickets assigned to them, customers' "
    "replies on their tickets, SLA warnings and breaches on their tickets."))


class NotificationSchema(Schema):
    """One notification."""

    id = fields.Integer()
    kind = fields.String(metadata={"description": "`mention`, `assigned`, `customer_reply`, `sla.warning`, "
                                                  "`sla.breached`, ..."})
    text = fields.String()
    ticket_id = fields.Integer(allow_none=True)
    created_at = Timestamp()
    read_at = Timestamp(allow_none=True)
    read = fields.Function(lambda n: n.read_at is not None)


class NotificationQuerySchema(Schema):
    unread = fields.Boolean(load_default=False, metadata={"description": "Only the unread ones."})
    before = fields.Integer(validate=validate.Range(1, MAX_ID), metadata={
        "description": "`next_cursor` of the previous page: older notifications than this id."})
    limit = page_limit()


class NotificationPageSchema(Schema):
    items = fields.List(fields.Nested(NotificationSchema))
    unread = fields.Integer(metadata={"description": "How many of the caller's notifications are unread."})
    next_cursor = fields.Integer(allow_none=True, metadata={"description": "Pass as `before`; null on the last page."})


class ReadAllSchema(Schema):
    marked = fields.Integer(metadata={"description": "How many were unread."})
    unread = fields.Integer()


class PreferencesSchema(Schema):
    email = fields.Boolean(required=True, metadata={"description": "Also e-mail me each notification."})


@blp.route("")
@blp.arguments(NotificationQuerySchema, location="query")
@blp.response(200, NotificationPageSchema)
def list_notifications(args: dict):
    """List my notifications, newest first"""
    user = current_staff()
    page = notifications.personal_page(user, unread_only=args["unread"], before=args.get("before"),
                                       limit=args["limit"])
    return {"items": page.items, "next_cursor": page.next_cursor, "unread": notifications.unread_count(user)}


@blp.route("/<int:notification_id>/read", methods=["POST"])
@blp.response(200, NotificationSchema)
@blp.alt_response(404, response="NOT_FOUND")
def mark_read(notification_id: int):
    """Mark one notification read"""
    try:
        return notifications.mark_read(current_staff(), notification_id)
    except NotificationNotFound:
        abort(404, message=f"no notification {notification_id}")


@blp.route("/read", methods=["POST"])
@blp.response(200, ReadAllSchema)
def mark_all_read():
    """Mark all my notifications read"""
    marked = notifications.mark_all_read(current_staff())
    return {"marked": marked, "unread": 0}


@blp.route("/preferences")
class Preferences(MethodView):
    """Whether my notifications also come by e-mail."""

    @blp.response(200, PreferencesSchema)
    def get(self):
        """Read my notification preferences"""
        return {"email": notifications.wants_email(current_staff().id)}

    @blp.arguments(PreferencesSchema)
    @blp.response(200, PreferencesSchema)
    def put(self, data: dict):
        """Change my notification preferences"""
        notifications.set_email(current_staff(), data["email"])
        return data
