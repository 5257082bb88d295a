"""SLA crossings reach the rooms that may see the ticket; supervisors hear who comes online."""

from __future__ import annotations

from helpdesk.extensions import socketio
from helpdesk.models.base import utcnow
from helpdesk.realtime import online
from helpdesk.services import staff
from helpdesk.services.sla import config as sla_config
from helpdesk.services.sla import scan as sla_scan
from tests.sla_app.conftest import H, calendar_time

NS = "/agent"


def connect(app, token):
    client = socketio.test_client(app, namespace=NS, auth={"token": token})
    client.get_received(NS)
    return client


def names(received):
    return [r["name"] for r in received]


def test_a_breach_is_heard_by_the_group_and_supervisors_only(app, make_user, token_for, inbound):
    staff.get_or_create_group("Support")
    sla_config.save_policy(None, name="Standard", targets=calendar_time(first=60, resolution=None))
    ticket_id = inbound(subject="Late").ticket_id
    support = connect(app, token_for(make_user(groups=("Support",))))
    billing = connect(app, token_for(make_user(groups=("Billing",))))
    supervisor = connect(app, token_for(make_user(role="supervisor", groups=())))
    for client in (support, billing, supervisor):
        client.get_received(NS)
    sla_scan.scan(utcnow() + 2 * H)
    heard = [r for r in support.get_received(NS) if r["name"].startswith("sla.")]
    assert names(heard) == ["sla.breached"]
    assert heard[0]["args"][0]["ticket_id"] == ticket_id and "breached its SLA" in heard[0]["args"][0]["text"]
    assert "sla.breached" in names(supervisor.get_received(NS))
    assert billing.get_received(NS) == []


def test_supervisors_hear_agents_come_and_go(app, make_user, token_for):
    supervisor = connect(app, token_for(make_user(role="supervisor", groups=())))
    agent_user = make_user()
    agent = connect(app, token_for(agent_user))
    assert agent_user.id in online.online.user_ids()
    assert "agents.changed" in names(supervisor.get_received(NS))
    agent.disconnect(NS)
    assert agent_user.id not in online.online.user_ids()
    assert "agents.changed" in names(supervisor.get_received(NS))
