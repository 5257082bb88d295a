"""The /agent Socket.IO namespace: who may connect, which rooms they get, what they hear."""

from __future__ import annotations

import pytest

from helpdesk.extensions import db, socketio
from helpdesk.models import Ticket
from helpdesk.services import replies, staff, tickets

NS = "/agent"


def connect(app, token=None, flask_client=None):
    return socketio.test_client(app, namespace=NS, auth={"token": token} if token else None,
                                flask_test_client=flask_client)


def names(received):
    return [r["name"] for r in received]


def test_connect_without_credentials_is_refused(app):
    assert not connect(app).is_connected(NS)


def test_connect_with_a_bad_token_is_refused(app):
    assert not connect(app, token="hd_not-a-token").is_connected(NS)


def test_connect_with_an_api_token(app, make_user, token_for):
    client = connect(app, token=token_for(make_user()))
    assert client.is_connected(NS)
    # Opening the console brought the agent online (issue 19): they hear that first, then hello.
    assert names(client.get_received(NS)) == ["agent.availability", "hello"]


def test_connect_with_the_browser_session(app, client, make_user, login):
    user = make_user()
    login(user)
    sio = connect(app, flask_client=client)
    assert sio.is_connected(NS)


def test_group_members_hear_new_tickets_of_their_group_only(app, make_user, token_for, inbound):
    staff.get_or_create_group("Support")
    support = connect(app, token=token_for(make_user(groups=("Support",))))
    billing = connect(app, token=token_for(make_user(groups=("Billing",))))
    supervisor = connect(app, token=token_for(make_user(role="supervisor", groups=())))
    for c in (support, billing, supervisor):
        c.get_received(NS)
    result = inbound(subject="new one")
    heard = support.get_received(NS)
    assert names(heard) == ["ticket.created", "message.created"]
    assert heard[0]["args"][0]["ticket_id"] == result.ticket_id
    assert billing.get_received(NS) == []
    assert names(supervisor.get_received(NS)) == ["ticket.created", "message.created"]


def test_joining_a_foreign_ticket_is_refused(app, make_user, token_for, inbound):
    staff.get_or_create_group("Support")
    result = inbound()
    outsider = connect(app, token=token_for(make_user(groups=("Billing",))))
    assert outsider.emit("join_ticket", {"ticket_id": result.ticket_id}, namespace=NS, callback=True) == {
        "ok": False, "error": "no such ticket"}
    assert outsider.emit("join_ticket", {"ticket_id": "nonsense"}, namespace=NS, callback=True)["ok"] is False
    assert outsider.emit("presence", {"ticket_id": result.ticket_id, "state": "replying"}, namespace=NS,
                         callback=True)["ok"] is False


def test_presence_shows_who_is_viewing_and_replying(app, make_user, token_for, inbound):
    staff.get_or_create_group("Support")
    ticket_id = inbound().ticket_id
    ana = make_user(name="Ana")
    ben = make_user(name="Ben")
    a, b = connect(app, token=token_for(ana)), connect(app, token=token_for(ben))
    assert a.emit("join_ticket", {"ticket_id": ticket_id}, namespace=NS, callback=True)["ok"]
    reply = b.emit("join_ticket", {"ticket_id": ticket_id}, namespace=NS, callback=True)
    assert [p["name"] for p in reply["presence"]] == ["Ana", "Ben"]
    a.get_received(NS)
    b.emit("presence", {"ticket_id": ticket_id, "state": "replying"}, namespace=NS, callback=True)
    latest = [r for r in a.get_received(NS) if r["name"] == "presence.changed"][-1]["args"][0]
    assert {p["name"]: p["state"] for p in latest["agents"]} == {"Ana": "viewing", "Ben": "replying"}
    b.disconnect(NS)
    latest = [r for r in a.get_received(NS) if r["name"] == "presence.changed"][-1]["args"][0]
    assert [p["name"] for p in latest["agents"]] == ["Ana"]


def test_ticket_room_hears_replies_and_changes(app, make_user, token_for, inbound):
    staff.get_or_create_group("Support")
    ticket = db.session.get(Ticket, inbound().ticket_id)
    agent = make_user()
    watcher = connect(app, token=token_for(make_user()))
    watcher.emit("join_ticket", {"ticket_id": ticket.id}, namespace=NS, callback=True)
    watcher.get_received(NS)
    replies.add_reply(ticket, agent, body="internal", internal=True)
    tickets.update_ticket(ticket, agent, priority="urgent")
    heard = watcher.get_received(NS)
    assert "message.created" in names(heard)
    update = [r["args"][0] for r in heard if r["name"] == "ticket.updated" and r["args"][0]["changes"]][-1]
    assert update["changes"] == {"priority": ["normal", "urgent"]} and update["actor_id"] == agent.id
    # Every client hears an event once, even when it is in several of the target rooms.
    assert names(heard).count("message.created") == 1


@pytest.mark.parametrize("payload", [None, {}, {"ticket_id": None}, {"ticket_id": 10**12}])
def test_malformed_joins_are_answered_not_crashed(app, make_user, token_for, payload):
    c = connect(app, token=token_for(make_user(role="admin")))
    assert c.emit("join_ticket", payload, namespace=NS, callback=True)["ok"] is False


def test_a_deactivated_agent_is_cut_off(app, make_user, token_for, inbound):
    staff.get_or_create_group("Support")
    ticket_id = inbound().ticket_id
    agent = make_user()
    c = connect(app, token=token_for(agent))
    agent.active = False
    db.session.commit()
    assert c.emit("join_ticket", {"ticket_id": ticket_id}, namespace=NS, callback=True)["ok"] is False
    assert not c.is_connected(NS)


def test_an_app_without_redis_built_after_one_with_it_keeps_its_events_in_process(app_config):
    """The Socket.IO extension is one object per process: an app built without Redis after one with
    it (a test after a scale-out test's in-process command) must not publish through its manager."""
    from socketio import PubSubManager

    from helpdesk import create_app
    from tests.support import redis_test_url

    scaled_out = create_app(dict(app_config, HELPDESK_REDIS_URL=redis_test_url(14)))
    assert isinstance(socketio.server.manager, PubSubManager)
    plain = create_app(app_config)
    assert not isinstance(socketio.server.manager, PubSubManager)
    for built in (scaled_out, plain):
        with built.app_context():
            db.engine.dispose()
