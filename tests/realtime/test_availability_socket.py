"""Availability over the /agent namespace: the console brings an agent online, the header sets a
status, idle makes an online agent away, supervisors hear each change, and closing the last
console makes the agent offline after the grace."""

from __future__ import annotations

import time

import pytest

from helpdesk.extensions import db, socketio
from helpdesk.services.routing import availability
from tests.support import committed_eventually

NS = "/agent"


@pytest.fixture
def app_config(app_config):
    app_config["HELPDESK_ROUTING_OFFLINE_GRACE"] = 0.5
    return app_config


def connect(app, token):
    return socketio.test_client(app, namespace=NS, auth={"token": token})


def test_the_console_sets_availability_and_supervisors_hear_it(app, make_user, token_for):
    agent = make_user(name="Ana")
    supervisor = connect(app, token_for(make_user(role="supervisor", groups=())))
    console = connect(app, token_for(agent))
    hello = next(r for r in console.get_received(NS) if r["name"] == "hello")["args"][0]
    assert hello["availability"] == "online" and hello["offers"] == []
    supervisor.get_received(NS)
    assert console.emit("availability", {"status": "away", "idle": True}, namespace=NS, callback=True) == {
        "ok": True, "status": "away"}
    heard = [r["args"][0] for r in supervisor.get_received(NS) if r["name"] == "agent.availability"]
    assert [(e["user_id"], e["status"], e["reason"]) for e in heard] == [(agent.id, "away", "idle")]
    # Idle only turns an online agent away: an agent who chose offline stays offline.
    console.emit("availability", {"status": "offline"}, namespace=NS, callback=True)
    assert console.emit("availability", {"status": "away", "idle": True}, namespace=NS, callback=True)["ok"] is False
    assert console.emit("availability", {"status": "busy"}, namespace=NS, callback=True)["ok"] is False
    db.session.rollback()
    assert availability.status_of(agent.id).status == "offline"


def test_closing_the_last_console_makes_the_agent_offline_after_the_grace(app, make_user, token_for):
    agent = make_user(name="Ben")
    token = token_for(agent)
    first, second = connect(app, token), connect(app, token)
    assert availability.status_of(agent.id).status == "online"
    first.disconnect(namespace=NS)
    time.sleep(1.0)
    db.session.rollback()
    assert availability.status_of(agent.id).status == "online"  # another console is still open
    second.disconnect(namespace=NS)
    assert committed_eventually(lambda: availability.status_of(agent.id).status == "offline", seconds=10)
    assert availability.status_of(agent.id).reason == "console closed"
