"""A ringing call pops up for the available agents of its group only, with the caller and the
open tickets each of them may see; answering records who took it and the popup goes away for
the others. Through the real /agent namespace (Socket.IO test clients)."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.extensions import db, socketio
from helpdesk.models import Call, Ticket
from helpdesk.services import customers

NS = "/agent"


def _connect(app, token):
    client = socketio.test_client(app, namespace=NS, auth={"token": token})
    assert client.is_connected(NS)
    client.get_received(NS)
    return client


def _heard(client, name):
    return [r["args"][0] for r in client.get_received(NS) if r["name"] == name]


def test_a_ringing_call_pops_up_for_the_queue_group_with_the_callers_open_tickets(
        app, cti_account, post_event, make_user, token_for, inbound, groups):
    support, billing = groups
    caller = customers.create_customer(name="Lucía Pérez", identities=[("phone", "+34612345678")])
    db.session.commit()
    billing_ticket = inbound(email="lucia@example.com", subject="Invoice twice")  # any channel's ticket
    ticket = db.session.get(Ticket, billing_ticket.ticket_id)
    ticket.customer_id, ticket.group_id = caller.id, billing.id
    db.session.commit()
    other = inbound(email="lucia2@example.com", subject="Support thing")
    second = db.session.get(Ticket, other.ticket_id)
    second.customer_id, second.group_id = caller.id, support.id
    db.session.commit()
    biller = _connect(app, token_for(make_user(groups=("Billing",))))
    helper = _connect(app, token_for(make_user(groups=("Support",))))
    boss = _connect(app, token_for(make_user(role="supervisor", groups=("Billing",))))
    post_event({"event": "ringing", "call_id": "r-1", "from": "+34 612 345 678", "queue": "billing"})
    popup = _heard(biller, "call.ringing")
    assert len(popup) == 1 and popup[0]["customer"] == {"id": caller.id, "name": "Lucía Pérez"}
    assert [t["subject"] for t in popup[0]["tickets"]] == ["Invoice twice"]  # not Support's ticket
    assert {t["subject"] for t in _heard(boss, "call.ringing")[0]["tickets"]} == {"Invoice twice", "Support thing"}
    assert _heard(helper, "call.ringing") == []  # not the queue's group


def test_answering_in_the_console_records_who_took_it_and_clears_the_others(
        app, cti_account, post_event, make_user, token_for, client, login):
    first, second = make_user(groups=("Billing",)), make_user(groups=("Billing",))
    one, two = _connect(app, token_for(first)), _connect(app, token_for(second))
    rang = post_event({"event": "ringing", "call_id": "r-2", "from": "+34612345678", "queue": "billing"}).get_json()
    assert _heard(one, "call.ringing") and _heard(two, "call.ringing")
    login(first)
    answer = client.post(f"/calls/{rang['call_id']}/answer")
    assert answer.status_code == 200 and answer.get_json()["ok"]
    call = db.session.get(Call, rang["call_id"])
    assert call.agent_id == first.id and call.state == "answered"
    gone = _heard(two, "call.answered")
    assert gone == [gone[0]] and gone[0]["call_id"] == call.id and gone[0]["agent_id"] == first.id
    login(second)
    assert client.post(f"/calls/{rang['call_id']}/answer").status_code == 409


def test_an_agent_on_a_call_is_not_offered_the_next_one(app, cti_account, post_event, make_user, token_for):
    busy, free = make_user(groups=("Billing",), email="busy@staff.example"), make_user(groups=("Billing",))
    on_call, waiting = _connect(app, token_for(busy)), _connect(app, token_for(free))
    post_event({"event": "ringing", "call_id": "r-3", "from": "+34612345678", "queue": "billing"})
    post_event({"event": "answered", "call_id": "r-3", "agent": "busy@staff.example"})
    on_call.get_received(NS), waiting.get_received(NS)
    post_event({"event": "ringing", "call_id": "r-4", "from": "+34699000111", "queue": "billing"})
    assert _heard(on_call, "call.ringing") == [] and len(_heard(waiting, "call.ringing")) == 1


def test_the_pbx_reporting_the_answer_clears_the_popup_and_a_hang_up_too(app, cti_account, post_event, make_user,
                                                                         token_for):
    agent = _connect(app, token_for(make_user(groups=("Billing",))))
    post_event({"event": "ringing", "call_id": "r-5", "from": "+34612345678", "queue": "billing"})
    post_event({"event": "answered", "call_id": "r-5", "agent": "201"})
    answered = _heard(agent, "call.answered")
    assert answered and answered[0]["state"] == "answered"
    post_event({"event": "ringing", "call_id": "r-6", "from": "+34612345678", "queue": "billing"})
    post_event({"event": "ended", "call_id": "r-6", "duration": 0, "cause": "abandoned"})
    assert _heard(agent, "call.ended")[0]["state"] == "abandoned"


def test_call_log_pages_show_calls_to_those_who_may_see_them(app, cti_account, post_event, make_user, client, login):
    rang = post_event({"event": "ringing", "call_id": "r-7", "from": "+34612345678", "queue": "billing"}).get_json()
    post_event({"event": "answered", "call_id": "r-7", "agent": "201"})
    post_event({"event": "ended", "call_id": "r-7", "duration": 61, "cause": "normal"})
    call = db.session.get(Call, rang["call_id"])
    login(make_user(groups=("Support",)))  # Support: not the call's group, not its agent
    assert client.get(f"/calls/{call.id}").status_code == 404
    assert client.get(f"/customers/{call.customer_id}").status_code == 404
    ana = db.session.scalars(select(Call.agent_id).where(Call.id == call.id)).one()
    from helpdesk.models import User
    login(db.session.get(User, ana))
    mine = client.get("/calls").get_data(as_text=True)
    assert f'id="call-{call.id}"' in mine and "1:01" in mine
    page = client.get(f"/customers/{call.customer_id}").get_data(as_text=True)
    assert f'id="call-{call.id}"' in page
    logged = client.post(f"/calls/{call.id}/log", data={"mode": "new", "subject": "Wants a refund", "note": "Card"})
    assert logged.status_code == 302
    assert db.session.get(Call, call.id).ticket_id is not None
    assert client.post(f"/calls/{call.id}/log", data={"mode": "note"}).status_code == 400


def test_an_agent_who_is_away_is_not_offered_calls(app, cti_account, post_event, make_user, token_for):
    from helpdesk.services.routing import availability

    away_user = make_user(groups=("Billing",))
    away, present = _connect(app, token_for(away_user)), _connect(app, token_for(make_user(groups=("Billing",))))
    availability.set_status(away_user, "away")
    away.get_received(NS), present.get_received(NS)
    post_event({"event": "ringing", "call_id": "r-8", "from": "+34612345678", "queue": "billing"})
    assert _heard(away, "call.ringing") == [] and len(_heard(present, "call.ringing")) == 1
