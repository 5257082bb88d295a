"""The ticket list and ticket page of the console, driven through HTTP like an agent's browser."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import Message, Ticket, TicketEvent


@pytest.fixture
def agent(groups, make_user, login):
    user = make_user(groups=("Support",), name="Ana Agent")
    login(user)
    return user


def row_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'id="ticket-row-(\d+)"', html)]


def test_open_list_shows_only_the_agents_groups(client, agent, inbound):
    mine = inbound(group_hint="Support", subject="Support question").ticket_id
    theirs = inbound(group_hint="Billing", subject="Billing question").ticket_id
    html = client.get("/tickets").get_data(as_text=True)
    assert row_ids(html) == [mine] and theirs not in row_ids(html)


def test_views_filters_and_pages(client, agent, inbound):
    ids = [inbound(subject=f"Question {n}").ticket_id for n in range(55)]
    first = client.get("/tickets?view=open").get_data(as_text=True)
    assert row_ids(first) == sorted(ids, reverse=True)[:50]
    cursor = re.search(r'rel="next" href="[^"]*cursor=([^&"]+)', first).group(1)
    second = client.get(f"/tickets?view=open&cursor={cursor}").get_data(as_text=True)
    assert row_ids(second) == sorted(ids, reverse=True)[50:]
    assert row_ids(client.get("/tickets?view=mine").get_data(as_text=True)) == []
    assert row_ids(client.get(f"/tickets?view=all&q=%23{ids[3]}").get_data(as_text=True)) == [ids[3]]
    rows = client.get("/tickets?view=open&fragment=rows").get_data(as_text=True)
    assert rows.lstrip().startswith("<tbody") and "<html" not in rows


@pytest.mark.parametrize("query, field", [("view=everything", "view"), ("status=bogus", "status"),
                                          ("group_id=abc", "group_id"), ("cursor=forged", "cursor"),
                                          ("channel=pigeon", "channel"), ("group_id=99999999999", "group_id")])
def test_nonsense_filters_are_a_clear_error(client, agent, query, field):
    response = client.get(f"/tickets?{query}")
    assert response.status_code == 400 and field in response.get_data(as_text=True)


def test_ticket_page_escapes_what_customers_write(client, agent, inbound):
    ticket_id = inbound(subject="<script>alert('s')</script>", body="<img src=x onerror=alert(1)>",
                        name="<b>Mallory</b>", body_html='<p onclick="x()">hi<script>alert(2)</script></p>').ticket_id
    html = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert "<script>alert" not in html and "onerror=alert" not in html and "onclick" not in html
    assert "&lt;script&gt;alert(&#39;s&#39;)&lt;/script&gt;" in html and "&lt;b&gt;Mallory&lt;/b&gt;" in html
    assert "<p>hi</p>" in html


def test_another_groups_ticket_is_not_found_everywhere(client, agent, inbound, make_user):
    theirs = inbound(group_hint="Billing").ticket_id
    for url in (f"/tickets/{theirs}", f"/tickets/{theirs}/messages", f"/tickets/{theirs}/properties"):
        assert client.get(url).status_code == 404, url
    for url, data in ((f"/tickets/{theirs}/reply", {"body": "hi"}), (f"/tickets/{theirs}/update", {"status": "solved"}),
                      (f"/tickets/{theirs}/merge", {"target": "1"})):
        assert client.post(url, data=data).status_code == 404, url
    assert db.session.scalar(select(func.count()).select_from(Message).where(Message.ticket_id == theirs)) == 1
    assert db.session.get(Ticket, theirs).status == "new"


def test_reply_and_note_from_the_ticket_page(client, agent, inbound, smtp_server):
    ticket_id = inbound(email="maria@customer.example", subject="Broken login").ticket_id
    response = client.post(f"/tickets/{ticket_id}/reply", data={"body": "Try again now, please."})
    assert response.status_code == 303
    client.post(f"/tickets/{ticket_id}/reply", data={"body": "She sounded upset", "internal": "1"})
    kinds = db.session.execute(select(Message.kind, Message.delivery_state).where(Message.ticket_id == ticket_id)
                               .order_by(Message.id)).all()
    assert kinds == [("inbound", None), ("outbound", "sent"), ("note", None)]
    assert len(smtp_server.messages) == 1
    page = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert 'data-delivery-state="sent"' in page and "She sounded upset" in page


def test_empty_reply_is_refused_and_nothing_is_stored(client, agent, inbound):
    ticket_id = inbound().ticket_id
    response = client.post(f"/tickets/{ticket_id}/reply", data={"body": "   "}, follow_redirects=True)
    assert "Not sent: body must not be empty" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Message).where(Message.ticket_id == ticket_id)) == 1


def test_reply_with_an_attachment(client, agent, inbound, app):
    import io

    ticket_id = inbound().ticket_id
    client.post(f"/tickets/{ticket_id}/reply", data={"body": "see attached", "internal": "1",
                                                     "files": (io.BytesIO(b"%PDF-1.4 hello"), "report.pdf")},
                content_type="multipart/form-data")
    page = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    link = re.search(r'href="(/attachments/\d+)"', page).group(1)
    download = client.get(link)
    assert download.data == b"%PDF-1.4 hello"
    assert download.headers["Content-Disposition"].startswith("attachment")


def test_an_uploaded_file_name_loses_its_right_to_left_override(client, agent, inbound):
    import io

    ticket_id = inbound().ticket_id
    client.post(f"/tickets/{ticket_id}/reply", data={"body": "see attached", "internal": "1",
                                                     "files": (io.BytesIO(b"MZ"), "notes\u202etxt.exe")},
                content_type="multipart/form-data")
    page = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert "notestxt.exe" in page and "\u202e" not in page


def test_properties_change_with_a_timeline_entry(client, agent, inbound, groups):
    ticket_id = inbound().ticket_id
    response = client.post(f"/tickets/{ticket_id}/update", data={
        "status": "pending", "priority": "high", "group_id": str(groups[0].id), "assignee_id": str(agent.id),
        "tags": "Refund, vip "})
    assert response.status_code == 303
    ticket = db.session.get(Ticket, ticket_id)
    assert (ticket.status, ticket.priority_name, ticket.assignee_id, ticket.tags) == ("pending", "high", agent.id, ["refund", "vip"])
    event = db.session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id, TicketEvent.kind == "changed")).one()
    assert event.actor_id == agent.id and event.data["status"] == ["new", "pending"]
    assert "pending" in client.get(f"/tickets/{ticket_id}").get_data(as_text=True)


def test_bad_property_values_change_nothing(client, agent, inbound):
    ticket_id = inbound().ticket_id
    response = client.post(f"/tickets/{ticket_id}/update", data={"status": "pending", "priority": "apocalyptic"},
                           follow_redirects=True)
    assert "priority" in response.get_data(as_text=True)
    assert db.session.get(Ticket, ticket_id).status == "new"


def test_merge_moves_messages_and_redirects_to_the_target(client, agent, inbound):
    a = inbound(email="x@example.com", body="first").ticket_id
    b = inbound(email="x@example.com", body="second").ticket_id
    response = client.post(f"/tickets/{a}/merge", data={"target": f"#{b}"})
    assert response.status_code == 303 and response.location.endswith(f"/tickets/{b}")
    assert db.session.get(Ticket, a).merged_into_id == b
    assert client.get(f"/tickets/{a}").location.endswith(f"/tickets/{b}?merged_from={a}")
    page = client.get(f"/tickets/{b}").get_data(as_text=True)
    assert "first" in page and "second" in page


def test_catch_up_fragment_returns_only_newer_messages(client, agent, inbound):
    first = inbound(email="x@example.com", external_id="<a@x>")
    second = inbound(email="x@example.com", external_id="<b@x>", thread_refs=("<a@x>",), body="the newer one")
    html = client.get(f"/tickets/{first.ticket_id}/messages?after={first.message_id}").get_data(as_text=True)
    assert re.findall(r'data-message-id="(\d+)"', html) == [str(second.message_id)]
