"""The `/chat` Socket.IO namespace: widget visitors.

A connection names a widget key and, for a returning visitor, the visitor token the server gave
it. It is refused for an unknown key, an origin the widget may not be embedded on, a token that is
forged, old or another widget's, and beyond the connection rates. Every event acts on the
visitor's own conversation only, taken from the verified token, never from what the event says:
there is no event that names another room, ticket or visitor.
"""

from __future__ import annotations

import logging

from flask import request, session, url_for
from flask_socketio import ConnectionRefusedError, emit, join_room

from helpdesk.models import ChannelAccount
from helpdesk.realtime import online
from helpdesk.realtime.public_events import PublicEventsNamespace
from helpdesk.services.portal import links as portal_links
from helpdesk.services.privacy import consent
from helpdesk.services.surveys import widget as survey_widget
from helpdesk.services.webchat import confirmations
from helpdesk.services.webchat import messages as webchat_messages
from helpdesk.services.webchat import visitors as webchat_visitors
from helpdesk.services.webchat import widgets as webchat_widgets
from helpdesk.services.webchat.confirmations import ConfirmationRefused
from helpdesk.services.webchat.messages import ChatMessageError
from helpdesk.services.webchat.visitors import VisitorError
from helpdesk.webchat import delivery, presence

log = logging.getLogger(__name__)


def agents_online(account: ChannelAccount) -> bool:
    """True when a staff member who takes this widget's chats has the console open."""
    return webchat_widgets.agents_online(account, online.online.user_ids())


class ChatNamespace(PublicEventsNamespace):
    """Widget connections: one room per visitor conversation, joined at connect only."""

    PUBLIC_EVENTS = frozenset({"post_message", "typing", "read", "history", "rate", "status", "identify",
                               "portal_link"})

    def on_connect(self, auth=None):
        auth = auth if isinstance(auth, dict) else {}
        account = webchat_widgets.widget_for_key(str(auth.get("key") or ""))
        if account is None:
            raise ConnectionRefusedError("unknown widget")
        if not webchat_widgets.origin_allowed(account, request.headers.get("Origin")):
            raise ConnectionRefusedError("this site may not embed the widget")
        if not presence.allow("HELPDESK_WEBCHAT_ADDRESS_CONNECT_RATE", request.remote_addr or "-"):
            raise ConnectionRefusedError("too many connections")
        token = auth.get("token")
        visitor_id = webchat_visitors.read_token(account, str(token)) if token else webchat_visitors.new_visitor_id()
        if visitor_id is None:
            raise ConnectionRefusedError("invalid visitor token")
        if not presence.allow("HELPDESK_WEBCHAT_CONNECT_RATE", visitor_id):
            raise ConnectionRefusedError("too many connections")
        session["chat"] = {"w": account.id, "v": visitor_id}
        room = delivery.room_of(account.source, visitor_id)
        join_room(room)
        presence.visitors.add(request.sid, room)
        items = webchat_messages.history(account, visitor_id)
        waiting = [i["id"] for i in items if i["from"] == "agent" and i["state"] == "sent"]
        webchat_messages.mark_delivered(account, visitor_id, waiting)
        emit("welcome", {
            "token": webchat_visitors.issue_token(account, visitor_id), "visitor_id": visitor_id,
            "config": webchat_widgets.public_config(account, agents_online(account)),
            "email": webchat_visitors.verified_email(visitor_id),
            "history": [i | {"state": "delivered"} if i["id"] in waiting else i for i in items],
        })

    def _visitor(self) -> tuple[ChannelAccount, str] | tuple[None, None]:
        """The widget and visitor of this connection, as verified at connect."""
        data = session.get("chat") or {}
        account = webchat_widgets.connected_widget(int(data.get("w") or 0))
        if account is None or not account.active or not data.get("v"):
            return None, None
        return account, data["v"]

    def _counted(self):
        """The visitor, counting one message against their rate; (None, None, answer) when not
        connected or over the rate."""
        account, visitor_id = self._visitor()
        if account is None:
            return None, None, {"ok": False, "error": "not connected"}
        if not presence.allow("HELPDESK_WEBCHAT_MESSAGE_RATE", visitor_id):
            return None, None, {"ok": False, "error": "too many messages; wait a moment"}
        return account, visitor_id, None

    def on_post_message(self, data):
        """The visitor wrote: {text, client_id, name?, topic?, consent?}. Answers {ok, id, ticket_id}.
        `consent` ({"surveys": bool, "marketing": bool}, what the pre-chat form asked) is recorded
        with the message (source "widget")."""
        account, visitor_id, refusal = self._counted()
        if refusal is not None:
            return refusal
        data = data if isinstance(data, dict) else {}
        room = delivery.room_of(account.source, visitor_id)  # read before the commit expires the account
        try:
            result = webchat_messages.post(account, visitor_id, text=str(data.get("text") or ""),
                                           client_id=str(data.get("client_id") or ""), name=data.get("name"),
                                           subject=data.get("topic"))
        except ChatMessageError as exc:
            return {"ok": False, "error": exc.message, "field": exc.field}
        answers = data.get("consent")
        if isinstance(answers, dict) and not result.duplicate:
            chosen = {p: v for p, v in answers.items() if p in ("surveys", "marketing") and isinstance(v, bool)}
            if chosen:
                consent.record_answers(result.ticket_id, chosen, "widget")
        self._after_post(room, visitor_id, result)
        return {"ok": True, "id": result.message_id, "ticket_id": result.ticket_id}

    def _after_post(self, room: str, visitor_id: str, result) -> None:
        """Other tabs of the visitor show the message too; an agent already on the ticket page saw it."""
        from helpdesk.realtime.agents import presence as agents_on_ticket

        # Most visitors have one tab: then there is nobody to show it to, and no need to read it back.
        if not result.duplicate and presence.visitors.connections(room) > 1:
            emit("message_added", webchat_messages.item(result.message_id, visitor_id), to=room, skip_sid=request.sid)
        if agents_on_ticket.on_ticket(result.ticket_id):
            emit("read", {"up_to": result.message_id}, to=room)
        delivery.visitor_typing(result.ticket_id, False)

    def on_typing(self, data):
        """The visitor started or stopped typing: {typing: bool}."""
        account, visitor_id = self._visitor()
        ticket = webchat_visitors.conversation(account, visitor_id) if account is not None else None
        if ticket is None or not ticket.is_open:
            return {"ok": False}
        delivery.visitor_typing(ticket.id, bool((data or {}).get("typing")) if isinstance(data, dict) else False)
        return {"ok": True}

    def on_read(self, data):
        """The visitor has seen every reply up to {up_to: message id}."""
        account, visitor_id = self._visitor()
        try:
            up_to = int((data or {}).get("up_to"))
        except (TypeError, ValueError, AttributeError):
            return {"ok": False, "error": "bad message id"}
        if account is None:
            return {"ok": False, "error": "not connected"}
        return {"ok": True, "read": webchat_messages.mark_read(account, visitor_id, up_to)}

    def on_history(self, data=None):
        """The visitor's conversation so far (after a reconnect the widget asks again)."""
        account, visitor_id = self._visitor()
        if account is None:
            return {"ok": False, "error": "not connected"}
        return {"ok": True, "items": webchat_messages.history(account, visitor_id)}

    def on_rate(self, data):
        """The visitor rated a survey in the panel: {ref, score, comment?}. Answers {ok, text, survey?,
        field?}; the visitor's other tabs get the rating as it now stands."""
        account, visitor_id, refusal = self._counted()
        if refusal is not None:
            return refusal
        data = data if isinstance(data, dict) else {}
        result = survey_widget.answer(account, visitor_id, str(data.get("ref") or ""), data.get("score"),
                                      data.get("comment"))
        if result.recorded:
            emit("survey_updated", result.rating, to=delivery.room_of(account.source, visitor_id), skip_sid=request.sid)
        answer = {"ok": result.recorded, "text": result.text, "survey": result.rating}
        return answer | ({"error": result.text, "field": result.field} if not result.recorded else {})

    def on_status(self, data=None):
        """Whether anyone is there to answer now."""
        account, _ = self._visitor()
        return {"ok": account is not None, "online": account is not None and agents_online(account)}

    def on_identify(self, data):
        """The pre-chat form or the offline form: {name?, email?, identity_hash?}. With a valid
        identity hash the address is the visitor's at once; otherwise a confirmation link is
        e-mailed (within the limits per address, visitor and widget) and the address counts only
        once it is clicked."""
        account, visitor_id, refusal = self._counted()
        if refusal is not None:
            return refusal
        data = data if isinstance(data, dict) else {}
        webchat_visitors.rename(visitor_id, data.get("name"))
        if not data.get("email"):
            return {"ok": True, "verified": False}
        try:
            if data.get("identity_hash"):
                if not webchat_visitors.verify_with_hash(account, visitor_id, str(data["email"]),
                                                         str(data["identity_hash"]), name=data.get("name")):
                    return {"ok": False, "verified": False, "error": "this address could not be verified"}
                return {"ok": True, "verified": True, "email": webchat_visitors.verified_email(visitor_id)}
            address = webchat_visitors.clean_email(str(data["email"]))
            token = webchat_visitors.confirmation_token(account, visitor_id, address)
            confirmations.reserve(account, visitor_id, address)
            webchat_visitors.note_unverified_email(visitor_id, address)
        except VisitorError as exc:
            return {"ok": False, "error": exc.message, "field": exc.field}
        except ConfirmationRefused as exc:
            return {"ok": False, "verified": False, "error": exc.message, "field": "email"}
        from helpdesk.jobs.webchat import send_confirmation

        link = url_for("widget.confirm", token=token, _external=True)
        send_confirmation(address, link, account.name)
        return {"ok": True, "verified": False, "confirmation_sent": True}

    def on_portal_link(self, data=None):
        """A one-time link that signs a visitor whose address is proven in to the customer portal
        ({lang?}): {ok, url}; {ok: false, error} before the address is proven."""
        account, visitor_id, refusal = self._counted()
        if refusal is not None:
            return refusal
        token = portal_links.for_visitor(visitor_id)
        if token is None:
            return {"ok": False, "error": "confirm your e-mail address first"}
        data = data if isinstance(data, dict) else {}
        lang = portal_links.portal_language(str(data.get("lang") or ""))
        # The address this very client reached us at (only it gets the answer, so its Host is no risk).
        return {"ok": True, "url": url_for("portal.link", lang=lang, token=token, _external=True)}

    def on_disconnect(self, reason=None):
        presence.visitors.drop(request.sid)
        account, visitor_id = self._visitor()
        ticket = webchat_visitors.conversation(account, visitor_id) if account is not None else None
        if ticket is not None and ticket.is_open:
            delivery.visitor_typing(ticket.id, False)
