"""Rights changes reach open /agent connections at once: switched off, removed from a group,
promoted, a token revoked."""

from __future__ import annotations

from helpdesk.extensions import db, socketio
from helpdesk.models import ApiToken, Ticket, User
from helpdesk.realtime import agents, rights
from helpdesk.services import audit, replies, staff
from helpdesk.services.accounts import tokens as api_tokens
from helpdesk.services.accounts import users as accounts

NS = "/agent"
ADMIN = audit.Actor(via="web")


def connect(app, token):
    client = socketio.test_client(app, namespace=NS, auth={"token": token})
    assert client.is_connected(NS)
    client.get_received(NS)
    return client


def names(client):
    return [r["name"] for r in client.get_received(NS)]


def test_an_agent_removed_from_a_group_stops_hearing_it_and_joins_the_new_one(app, make_user, token_for, inbound, groups):
    agent = make_user(groups=("Support",))
    client = connect(app, token_for(agent))
    inbound(subject="first")
    assert "ticket.created" in names(client)
    accounts.update_user(agent, ADMIN, groups=["Billing"])
    inbound(subject="second")  # routed to Support, the default group
    assert names(client) == []
    assert client.is_connected(NS)
    rooms = socketio.server.rooms(socketio.server.manager.sid_from_eio_sid(client.eio_sid, NS), namespace=NS)
    assert f"group:{groups[1].id}" in rooms and f"group:{groups[0].id}" not in rooms


def test_an_agent_loses_the_ticket_page_they_may_no_longer_see(app, make_user, token_for, inbound, groups):
    agent, admin = make_user(groups=("Support",)), make_user(role="admin")
    ticket = db.session.get(Ticket, inbound().ticket_id)
    client = connect(app, token_for(agent))
    assert client.emit("join_ticket", {"ticket_id": ticket.id}, namespace=NS, callback=True)["ok"]
    sid = socketio.server.manager.sid_from_eio_sid(client.eio_sid, NS)
    assert agents.presence.ticket_of(sid) == ticket.id
    client.get_received(NS)
    accounts.update_user(agent, ADMIN, groups=["Billing"])
    replies.add_reply(ticket, admin, body="note", internal=True)
    assert "message.created" not in names(client)
    assert agents.presence.ticket_of(sid) is None


def test_a_switched_off_agent_is_disconnected_and_their_token_refused(app, client, make_user, token_for, groups):
    agent = make_user()
    token = token_for(agent)
    sio = connect(app, token)
    accounts.update_user(agent, ADMIN, active=False)
    assert not sio.is_connected(NS)
    assert client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    row = db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == agent.id))
    assert row.revoked_at is not None  # still listed, as revoked
    accounts.update_user(agent, ADMIN, active=True)
    assert staff.user_for_token(token) is None  # switching back on does not revive old tokens


def test_promotion_to_supervisor_joins_the_supervisors_room(app, make_user, token_for, inbound, groups):
    agent = make_user(groups=("Billing",))
    client = connect(app, token_for(agent))
    inbound(subject="support ticket")
    assert names(client) == []
    accounts.update_user(agent, ADMIN, role="supervisor")
    inbound(subject="another support ticket")
    assert "ticket.created" in names(client)


def test_revoking_one_token_closes_only_its_connections(app, make_user, token_for, groups):
    agent = make_user()
    first, second = token_for(agent), token_for(agent)
    a, b = connect(app, first), connect(app, second)
    row = staff.token_row(first)
    api_tokens.revoke(row, ADMIN)
    assert not a.is_connected(NS) and b.is_connected(NS)


def test_the_sweep_applies_changes_made_by_another_process(app, make_user, token_for, inbound, groups):
    agent = make_user(groups=("Support",))
    client = connect(app, token_for(agent))
    # As the command line of the embedded set-up would: a change committed without this process
    # hearing of it.
    db.session.execute(db.update(User).where(User.id == agent.id).values(active=False, rights_version=User.rights_version + 1))
    db.session.commit()
    assert client.is_connected(NS)
    assert rights.sweep(agents.presence) == [agent.id]
    assert not client.is_connected(NS)
