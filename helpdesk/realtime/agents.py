"""Live updates: the `/agent` Socket.IO namespace and the event subscribers that feed it.

Rooms: `group:<id>` (tickets of a group), `ticket:<id>` (one open ticket page), `supervisors`
(everything). Staff join their group rooms at connect; every other join is authorised.
"""

from __future__ import annotations

import json
import threading
import time

from flask import Flask, current_app, request, session
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, disconnect, emit, join_room, leave_room

from helpdesk.extensions import db, socketio
from helpdesk.models import User
from helpdesk.realtime import online as online_staff
from helpdesk.realtime import origins as socket_origins
from helpdesk.realtime import rights
from helpdesk.realtime.public_events import PublicEventsNamespace
from helpdesk.services import events, staff, tickets
from helpdesk.services.accounts import sessions
from helpdesk.services.routing import availability, offers
from helpdesk.webchat import delivery as chat_delivery

NAMESPACE = "/agent"
PRESENCE_STATES = ("viewing", "replying")


class Presence:
    """Who has which ticket open, per socket id, in this process (the embedded set-up)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_sid: dict[str, tuple[int, dict]] = {}

    def set(self, sid: str, ticket_id: int, user: User, state: str) -> None:
        with self._lock:
            self._by_sid[sid] = (ticket_id, {"user_id": user.id, "name": user.name, "state": state})

    def drop(self, sid: str) -> int | None:
        with self._lock:
            entry = self._by_sid.pop(sid, None)
        return entry[0] if entry else None

    def ticket_of(self, sid: str) -> int | None:
        with self._lock:
            entry = self._by_sid.get(sid)
        return entry[0] if entry else None

    def on_ticket(self, ticket_id: int) -> list[dict]:
        with self._lock:
            entries = [entry for t, entry in self._by_sid.values() if t == ticket_id]
        return merge_presence(entries)


class RedisPresence:
    """The same, shared by every web process through Redis (the scale-out set-up). Entries expire
    so a crashed process cannot leave an agent "viewing" for ever."""

    TTL = 3600

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)

    def set(self, sid: str, ticket_id: int, user: User, state: str) -> None:
        entry = json.dumps({"user_id": user.id, "name": user.name, "state": state})
        with self._redis.pipeline() as pipe:
            pipe.hset(f"helpdesk:presence:{ticket_id}", sid, entry).expire(f"helpdesk:presence:{ticket_id}", self.TTL)
            pipe.set(f"helpdesk:presence-sid:{sid}", ticket_id, ex=self.TTL).execute()

    def drop(self, sid: str) -> int | None:
        ticket_id = self._redis.getdel(f"helpdesk:presence-sid:{sid}")
        if ticket_id is None:
            return None
        self._redis.hdel(f"helpdesk:presence:{int(ticket_id)}", sid)
        return int(ticket_id)

    def ticket_of(self, sid: str) -> int | None:
        ticket_id = self._redis.get(f"helpdesk:presence-sid:{sid}")
        return int(ticket_id) if ticket_id is not None else None

    def on_ticket(self, ticket_id: int) -> list[dict]:
        return merge_presence([json.loads(v) for v in self._redis.hvals(f"helpdesk:presence:{ticket_id}")])


def merge_presence(entries: list[dict]) -> list[dict]:
    """One entry per agent (an agent may have the ticket open in two tabs); replying wins."""
    users: dict[int, dict] = {}
    for entry in entries:
        if users.get(entry["user_id"], {}).get("state") != "replying":
            users[entry["user_id"]] = entry
    return sorted(users.values(), key=lambda u: u["user_id"])


presence: Presence | RedisPresence = Presence()


def _user_for_connect(auth) -> tuple[User | None, str]:
    """The staff member opening the connection and the credential they used."""
    if isinstance(auth, dict) and auth.get("token"):
        row = staff.token_row(str(auth["token"]), request.remote_addr)
        return (row.user, rights.token_credential(row)) if row is not None else (None, "")
    if current_user.is_authenticated:
        row = sessions.by_key(session.get("sid"))
        if row is None:
            return None, ""
        return current_user._get_current_object(), rights.session_credential(row)
    return None, ""


class AgentNamespace(PublicEventsNamespace):
    """Staff console connections: authenticated at connect, authorised at every join."""

    PUBLIC_EVENTS = frozenset({"join_ticket", "presence", "leave_ticket", "availability", "offer_answer"})

    def on_connect(self, auth=None):
        if not socket_origins.console_origin_allowed(request.environ):
            raise ConnectionRefusedError("origin not allowed")  # a chat widget's site, say
        user, credential = _user_for_connect(auth)
        if user is None:
            raise ConnectionRefusedError("authentication required")
        session["agent_user_id"] = user.id
        for room in rights.rooms_for(user):
            join_room(room)
        join_room(f"user:{user.id}")  # notifications addressed to this staff member
        online_staff.online.add(request.sid, user.id, credential)
        rights.seen.connected(request.sid, user)
        if not current_app.testing:
            rights.watch(current_app._get_current_object(), lambda: presence, _sweep_interval(current_app))
        emit("agents.changed", {"user_id": user.id, "online": True}, to="supervisors", namespace=NAMESPACE)
        availability.came_online(user)
        emit("hello", {"user_id": user.id, "server_time": time.time(),
                       "availability": availability.status_of(user.id).status, "offers": offers.pending_for(user.id)})

    def _user(self) -> User | None:
        """The connected staff member, re-read so group changes and deactivation apply at once."""
        user_id = session.get("agent_user_id")
        user = db.session.get(User, user_id) if user_id else None
        if user is None or not user.active:
            disconnect()
            return None
        return user

    def on_join_ticket(self, data):
        """Open a ticket page: join its room and announce presence. Answers {"ok": bool}."""
        user = self._user()
        if user is None:
            return {"ok": False, "error": "not signed in"}
        try:
            ticket = tickets.get_for(user, int((data or {}).get("ticket_id")))
        except (TypeError, ValueError, tickets.TicketNotFound):
            return {"ok": False, "error": "no such ticket"}
        join_room(f"ticket:{ticket.id}")
        self._set_presence(ticket.id, user, "viewing")
        chat_delivery.agent_activity(ticket.id, user, "viewing")
        return {"ok": True, "presence": presence.on_ticket(ticket.id)}

    def on_presence(self, data):
        """The agent started or stopped typing a reply on a ticket they joined."""
        user = self._user()
        if user is None:
            return {"ok": False, "error": "not signed in"}
        try:
            ticket_id = int((data or {}).get("ticket_id"))
            state = str((data or {}).get("state"))
        except (TypeError, ValueError):
            return {"ok": False, "error": "bad presence"}
        if state not in PRESENCE_STATES or f"ticket:{ticket_id}" not in self._rooms():
            return {"ok": False, "error": "join the ticket first"}
        self._set_presence(ticket_id, user, state)
        chat_delivery.agent_activity(ticket_id, user, state)
        return {"ok": True}

    def on_availability(self, data):
        """The agent chose a status in the header, or the console saw them idle (`idle`: true)."""
        user = self._user()
        if user is None:
            return {"ok": False, "error": "not signed in"}
        status = str((data or {}).get("status"))
        idle = bool((data or {}).get("idle"))
        if idle and (status != "away" or availability.status_of(user.id).status != "online"):
            return {"ok": False, "error": "only an online agent goes away when idle"}
        try:
            availability.set_status(user, status, "idle" if idle else "agent")
        except availability.AvailabilityError as exc:
            return {"ok": False, "error": str(exc)}
        return {"ok": True, "status": status}

    def on_offer_answer(self, data):
        """Accept or decline an offered conversation: {"offer_id", "accept": bool}."""
        user = self._user()
        if user is None:
            return {"ok": False, "error": "not signed in"}
        try:
            offer = offers.answer(int((data or {}).get("offer_id")), user, bool((data or {}).get("accept")))
        except (TypeError, ValueError, offers.OfferClosed):
            return {"ok": False, "error": "this offer is no longer open"}
        return {"ok": True, "ticket_id": offer.ticket_id, "state": offer.state}

    def on_leave_ticket(self, data):
        ticket_id = presence.drop(request.sid)
        if ticket_id is not None:
            leave_room(f"ticket:{ticket_id}")
            self._broadcast_presence(ticket_id)
        return {"ok": True}

    def on_disconnect(self, reason=None):
        online_staff.online.drop(request.sid)
        user_id = session.get("agent_user_id")
        if user_id and not online_staff.online.sockets_of(user_id):
            socketio.start_background_task(_offline_unless_back, current_app._get_current_object(), user_id)
        rights.seen.gone(request.sid)
        emit("agents.changed", {"online": False}, to="supervisors", namespace=NAMESPACE)
        ticket_id = presence.drop(request.sid)
        if ticket_id is not None:
            self._broadcast_presence(ticket_id)

    def _rooms(self) -> list[str]:
        return socketio.server.rooms(request.sid, namespace=NAMESPACE)

    def _set_presence(self, ticket_id: int, user: User, state: str) -> None:
        previous = presence.drop(request.sid)
        if previous is not None and previous != ticket_id:
            leave_room(f"ticket:{previous}")
            self._broadcast_presence(previous)
        presence.set(request.sid, ticket_id, user, state)
        self._broadcast_presence(ticket_id)

    def _broadcast_presence(self, ticket_id: int) -> None:
        emit("presence.changed", {"ticket_id": ticket_id, "agents": presence.on_ticket(ticket_id)},
             to=f"ticket:{ticket_id}", namespace=NAMESPACE)


def _offline_unless_back(app: Flask, user_id: int) -> None:
    """The agent's last console closed: offline once the grace passed without a new one (a page
    load closes its socket and opens the next within it)."""
    socketio.sleep(app.config.get("HELPDESK_ROUTING_OFFLINE_GRACE", 20))
    if online_staff.online.sockets_of(user_id):
        return
    with app.app_context():
        user = db.session.get(User, user_id)
        if user is not None and availability.status_of(user_id).status != "offline":
            availability.set_status(user, "offline", "console closed")
        db.session.remove()


def _forward_availability(sender, payload: dict) -> None:
    body = dict(payload, event="agent.availability", sent_at=time.time())
    socketio.emit("agent.availability", body, to=["supervisors", f"user:{payload['user_id']}"], namespace=NAMESPACE)


def _forward_offer(sender, payload: dict) -> None:
    # The offer (with the ticket's subject) is its agent's alone; supervisors see that it moved.
    body = dict(payload, event="routing.offer", sent_at=time.time())
    socketio.emit("routing.offer", body, to=f"user:{payload['user_id']}", namespace=NAMESPACE)
    socketio.emit("routing.offer", {k: body[k] for k in ("offer_id", "ticket_id", "user_id", "state", "event")},
                  to="supervisors", namespace=NAMESPACE)


def _rooms_for(payload: dict) -> list[str]:
    if "ticket_id" not in payload:
        return ["supervisors"]  # not about one ticket (an SLA recomputation): supervisors only
    rooms = ["supervisors", f"ticket:{payload['ticket_id']}"]
    if payload.get("assignee_id") is not None:
        rooms.append(f"user:{payload['assignee_id']}")
    if payload.get("group_id") is not None:
        rooms.append(f"group:{payload['group_id']}")
    previous = (payload.get("changes") or {}).get("group_id")
    if previous and previous[0] is not None:
        rooms.append(f"group:{previous[0]}")  # the old group's lists must drop the ticket
    return rooms


def _forward(name: str):
    def handler(sender, payload: dict) -> None:
        body = dict(payload, event=name, sent_at=time.time())
        socketio.emit(name, body, to=_rooms_for(payload), namespace=NAMESPACE)
    return handler


_handlers = {name: _forward(name) for name in ("ticket.created", "ticket.updated", "message.created", "message.updated",
                                               "sla.warning", "sla.breached", "sla.recomputed")}


def _sweep_interval(app: Flask) -> float:
    # Without Redis a command-line change comes from another process that cannot reach these
    # sockets: the sweep is the way it arrives, so it runs every second. With Redis the change
    # arrives at once through the message queue, and the sweep is only a safety net.
    return 5.0 if app.config.get("HELPDESK_REDIS_URL") else 1.0


def _on_user_changed(sender, payload: dict) -> None:
    rights.apply(payload["user_id"], presence)


def _forward_notification(sender, payload: dict) -> None:
    # A personal notification is its recipient's alone: never a group's or a ticket's room.
    socketio.emit("notification.created", dict(payload, event="notification.created", sent_at=time.time()),
                  to=f"user:{payload['user_id']}", namespace=NAMESPACE)


def init_app(app: Flask) -> None:
    """Register the namespace and forward committed domain events to the rooms that may see them."""
    global presence
    redis_url = app.config.get("HELPDESK_REDIS_URL")
    presence = RedisPresence(redis_url) if redis_url else Presence()
    online_staff.init(redis_url)
    rights.seen = rights.Seen()
    socketio.on_namespace(AgentNamespace(NAMESPACE))
    for name, handler in _handlers.items():
        events.EVENTS[name].connect(handler, weak=False)
    events.user_changed.connect(_on_user_changed, weak=False)
    events.notification_created.connect(_forward_notification, weak=False)
    events.availability_changed.connect(_forward_availability, weak=False)
    events.routing_offer.connect(_forward_offer, weak=False)
