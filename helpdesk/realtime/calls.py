"""Calls in the console: a ringing call pops up for the available agents of its group (each
sees the caller's open tickets they may see); once someone answers it, or the caller hangs up,
the popup goes away for everybody else."""

from __future__ import annotations

import time

from flask import Flask

from helpdesk.extensions import socketio
from helpdesk.realtime import online as online_staff
from helpdesk.services import events
from helpdesk.services.calls import live

NAMESPACE = "/agent"


def _on_ringing(sender, payload: dict) -> None:
    users = live.available_agents(payload.get("group_id"), online_staff.online.user_ids())
    for user, popup in live.popups(payload["call_id"], users):
        socketio.emit("call.ringing", dict(popup, sent_at=time.time()), to=f"user:{user.id}", namespace=NAMESPACE)


def _on_settled(name: str):
    def handler(sender, payload: dict) -> None:
        # Everyone who may have the popup: the group's room (or every console, for a call without
        # a group) and the supervisors'. Only ids and the state leave the server.
        body = {"call_id": payload["call_id"], "state": payload["state"], "agent_id": payload.get("agent_id"),
                "sent_at": time.time()}
        group_id = payload.get("group_id")
        if group_id is None:
            socketio.emit(name, body, namespace=NAMESPACE)
        else:
            socketio.emit(name, body, to=[f"group:{group_id}", "supervisors"], namespace=NAMESPACE)
    return handler


# Module-level, so that building the app again (tests) connects the same receivers, not more.
_on_answered, _on_ended = _on_settled("call.answered"), _on_settled("call.ended")


def init_app(app: Flask) -> None:
    """Forward committed call events to the consoles that may show them."""
    events.call_ringing.connect(_on_ringing, weak=False)
    events.call_answered.connect(_on_answered, weak=False)
    events.call_ended.connect(_on_ended, weak=False)
