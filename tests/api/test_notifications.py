"""Personal notifications: mentions, assignments, customers' replies, read state, e-mail by choice."""

from __future__ import annotations

import pytest

from helpdesk.extensions import db
from helpdesk.models import Notification, Ticket
from helpdesk.services import notifications, tickets


@pytest.fixture
def ben(make_user):
    return make_user(role="agent", groups=("Support",), name="Ben Agent")


@pytest.fixture
def ticket_id(agent, inbound) -> int:
    return inbound(email="maria@customer.example", name="María", subject="Broken login").ticket_id


def kinds(api_client) -> list[tuple[str, str]]:
    response = api_client.get("/notifications")
    assert response.status_code == 200, response.get_json()
    return [(n["kind"], n["text"]) for n in response.get_json()["items"]]


def test_a_mention_in_a_note_notifies_the_staff_member_named(api, api_as, ben, make_user, ticket_id, groups):
    billing = make_user(role="agent", groups=("Billing",), name="Bea Billing")
    note = api.post(f"/tickets/{ticket_id}/replies", json={
        "body": "@Ben Agent can you check? Not @Bea Billing (no access), nor @Ana Agent herself.", "internal": True})
    assert note.status_code == 201
    assert kinds(api_as(ben)) == [("mention", f"Ana Agent mentioned you on #{ticket_id} Broken login")]
    assert kinds(api_as(billing)) == []  # she may not see the ticket
    assert kinds(api) == []  # nobody is notified of their own mention
    # A public reply never mentions anyone, whatever it says.
    api.post(f"/tickets/{ticket_id}/replies", json={"body": "Thanks @Ben Agent"})
    assert len(kinds(api_as(ben))) == 1


def test_an_assignment_by_someone_else_notifies_the_assignee(api, api_as, ben, agent, ticket_id):
    assert api.patch(f"/tickets/{ticket_id}", json={"assignee_id": agent.id}).status_code == 200
    assert kinds(api) == []  # taking a ticket oneself is no news
    assert api.patch(f"/tickets/{ticket_id}", json={"assignee_id": ben.id}).status_code == 200
    assert kinds(api_as(ben)) == [("assigned", f"#{ticket_id} Broken login was assigned to you by Ana Agent")]


def test_a_customers_reply_on_my_ticket_notifies_me_but_a_new_ticket_does_not(api, agent, inbound):
    first = inbound(kind="telegram", email="77", name="Tom", channel="telegram", source="bot", thread_key="chat-77",
                    body="hi")
    tickets.update_ticket(db.session.get(Ticket, first.ticket_id), None, assignee_id=agent.id)
    assert [k for k, _ in kinds(api)] == ["assigned"]  # assigned by a rule (no actor)
    again = inbound(kind="telegram", email="77", channel="telegram", source="bot", thread_key="chat-77",
                    body="still there?")
    assert again.ticket_id == first.ticket_id
    assert [k for k, _ in kinds(api)] == ["customer_reply", "assigned"]


def test_mark_read_and_all_read(api, api_as, ben, ticket_id):
    for n in range(3):
        api.post(f"/tickets/{ticket_id}/replies", json={"body": f"@Ben Agent look {n}", "internal": True})
    as_ben = api_as(ben)
    page = as_ben.get("/notifications").get_json()
    assert page["unread"] == 3 and [n["read"] for n in page["items"]] == [False] * 3
    newest = page["items"][0]["id"]
    assert api.post(f"/notifications/{newest}/read").status_code == 404  # not Ana's
    marked = as_ben.post(f"/notifications/{newest}/read")
    assert marked.status_code == 200 and marked.get_json()["read"] is True
    assert as_ben.get("/notifications?unread=true").get_json()["unread"] == 2
    assert len(as_ben.get("/notifications?unread=true").get_json()["items"]) == 2
    assert as_ben.post("/notifications/read").get_json()["marked"] == 2
    assert as_ben.get("/notifications").get_json()["unread"] == 0
    paged = as_ben.get("/notifications?limit=2").get_json()
    older = as_ben.get(f"/notifications?limit=2&before={paged['next_cursor']}").get_json()
    assert len(paged["items"]) == 2 and len(older["items"]) == 1 and older["next_cursor"] is None
    assert as_ben.get("/notifications?limit=0").status_code == 422


def test_notifications_come_by_e_mail_only_to_those_who_asked(api, api_as, ben, ticket_id, smtp_server):
    as_ben = api_as(ben)
    api.post(f"/tickets/{ticket_id}/replies", json={"body": "@Ben Agent first", "internal": True})
    assert smtp_server.messages == []  # e-mail is off by default
    assert as_ben.put("/notifications/preferences", json={"email": True}).get_json() == {"email": True}
    assert as_ben.put("/notifications/preferences", json={"email": "maybe"}).status_code == 422
    api.post(f"/tickets/{ticket_id}/replies", json={"body": "@Ben Agent second", "internal": True})
    assert [m.rcpt_tos for m in smtp_server.messages] == [[ben.email]]
    assert b"Ana Agent mentioned you on" in smtp_server.messages[0].content


def test_sla_notifications_of_my_tickets_count_as_unread(api, agent, ticket_id):
    ticket = db.session.get(Ticket, ticket_id)
    tickets.update_ticket(ticket, agent, assignee_id=agent.id)
    notifications.notify_ticket(ticket, "sla.warning", "First response due soon")
    db.session.commit()
    assert api.get("/notifications").get_json()["unread"] == 1
    assert db.session.query(Notification).filter(Notification.group_id.is_not(None)).count() == 1  # the group's too


def test_mention_completion_lists_only_staff_who_may_see_the_ticket(client, login, agent, ben, make_user, ticket_id):
    make_user(role="agent", groups=("Billing",), name="Bea Billing")
    login(agent)
    names = [u["name"] for u in client.get(f"/tickets/{ticket_id}/mentionable?q=b").get_json()["items"]]
    assert names == ["Ben Agent"]
    assert client.get("/tickets/999999/mentionable?q=b").status_code == 404


def test_an_sla_warning_on_my_ticket_is_mailed_when_i_asked_for_e_mail(api, agent, ticket_id, smtp_server):
    from helpdesk.services import events

    ticket = db.session.get(Ticket, ticket_id)
    tickets.update_ticket(ticket, agent, assignee_id=agent.id)
    assert api.put("/notifications/preferences", json={"email": True}).status_code == 200
    notifications.notify_ticket(ticket, "sla.warning", "First response due in 10 minutes")
    db.session.commit()
    events.publish("sla.warning", events.ticket_payload(ticket) | {"text": "First response due in 10 minutes"})
    assert [m.rcpt_tos for m in smtp_server.messages] == [[agent.email]]
    assert b"First response due in 10 minutes" in smtp_server.messages[0].content
