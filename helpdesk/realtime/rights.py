"""Rights re-checked on live `/agent` connections the moment they change.

A change of a staff member's active flag, role or groups (or a revoked token, an ended session)
publishes `user.changed` after its commit; `apply` then finds that user's connections in every
process (the online registry is in Redis in the scale-out set-up) and, through the Socket.IO
server (whose Redis message queue reaches the process holding each connection), closes them or
moves them between rooms. A switched-off user's sockets are closed; a user removed from a group
leaves its room, and the ticket page they had open if they may no longer see it.

The command line in the embedded set-up (SQLite, no Redis) runs in a process of its own that
cannot reach the server's sockets: each serving process therefore also compares, every second,
the `rights_version` of the users connected to it with the one it last applied (`watch`).
"""

from __future__ import annotations

import logging
import threading

from flask import Flask
from sqlalchemy import select

from helpdesk.extensions import db, socketio
from helpdesk.models import ApiToken, Group, User, UserSession
from helpdesk.realtime import online as online_staff
from helpdesk.services import tickets

NAMESPACE = "/agent"
log = logging.getLogger(__name__)


def session_credential(row: UserSession) -> str:
    """The credential of a connection opened with a browser session (its row id, never its key)."""
    return f"s{row.id}"


def token_credential(row: ApiToken) -> str:
    return f"t{row.id}"


def _credential_valid(user: User, credential: str) -> bool:
    if credential.startswith("t"):
        row = db.session.get(ApiToken, int(credential[1:])) if credential[1:].isdigit() else None
        return row is not None and row.user_id == user.id and row.revoked_at is None
    if credential.startswith("s") and credential[1:].isdigit():
        row = db.session.get(UserSession, int(credential[1:]))
        return row is not None and row.user_id == user.id and row.ended_at is None
    return False


def rooms_for(user: User) -> set[str]:
    """The rooms a connection of `user` belongs in, besides its own and an open ticket's."""
    rooms = {f"group:{group_id}" for group_id in user.group_ids}
    if user.sees_all_groups:
        rooms.add("supervisors")
    return rooms


class Seen:
    """The rights version last applied per user, and which users have connections here."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sids: dict[str, int] = {}
        self.version: dict[int, int] = {}

    def connected(self, sid: str, user: User) -> None:
        with self.lock:
            self.sids[sid] = user.id
            self.version.setdefault(user.id, user.rights_version)

    def gone(self, sid: str) -> None:
        with self.lock:
            user_id = self.sids.pop(sid, None)
            if user_id is not None and user_id not in self.sids.values():
                self.version.pop(user_id, None)

    def users(self) -> dict[int, int]:
        with self.lock:
            return {uid: self.version.get(uid, -1) for uid in set(self.sids.values())}


seen = Seen()


def apply(user_id: int, presence) -> int:
    """Bring every live connection of `user_id` in line with the user's rights now; returns how
    many connections were closed. `presence` is the namespace's presence store (who has which
    ticket open)."""
    user = db.session.get(User, user_id)
    if user is not None:
        db.session.refresh(user)  # another process may have changed it since this session read it
    server = socketio.server
    closed = 0
    group_rooms = {f"group:{gid}" for gid in db.session.scalars(select(Group.id))} | {"supervisors"}
    for sid, credential in online_staff.online.sockets_of(user_id):
        if user is None or not user.active or not _credential_valid(user, credential):
            server.disconnect(sid, namespace=NAMESPACE)
            online_staff.online.drop(sid)  # at once: the closing process drops it again, harmlessly
            closed += 1
            continue
        wanted = rooms_for(user)
        for room in group_rooms - wanted:
            server.leave_room(sid, room, namespace=NAMESPACE)
        for room in wanted:
            server.enter_room(sid, room, namespace=NAMESPACE)
        ticket_id = presence.ticket_of(sid)
        if ticket_id is not None and not _may_see(user, ticket_id):
            server.leave_room(sid, f"ticket:{ticket_id}", namespace=NAMESPACE)
            presence.drop(sid)
    if user is not None:
        with seen.lock:
            if user_id in seen.version:
                seen.version[user_id] = user.rights_version
    return closed


def _may_see(user: User, ticket_id: int) -> bool:
    try:
        tickets.get_for(user, ticket_id)
    except tickets.TicketNotFound:
        return False
    return True


def sweep(presence) -> list[int]:
    """Apply the rights of the users connected to this process whose `rights_version` moved
    since it was last applied here; returns their ids."""
    known = seen.users()
    if not known:
        return []
    current = dict(db.session.execute(select(User.id, User.rights_version).where(User.id.in_(known))).all())
    changed = [uid for uid, version in known.items() if current.get(uid) != version]
    for user_id in changed:
        apply(user_id, presence)
    db.session.commit()  # end the read transaction (SQLite keeps its snapshot otherwise)
    return changed


_watching = threading.Lock()
_started = False


def watch(app: Flask, presence_of, interval: float) -> None:
    """Start the sweep loop in this serving process (once); `presence_of()` gives the presence store."""
    global _started
    with _watching:
        if _started:
            return
        _started = True

    def loop() -> None:
        while True:
            socketio.sleep(interval)
            try:
                with app.app_context():
                    sweep(presence_of())
                    db.session.remove()
            except Exception:  # noqa: BLE001 - a database hiccup must not end the loop for good
                log.exception("re-checking live connections failed")

    socketio.start_background_task(loop)
