"""Ticket endpoints: lists, reading, opening, changing, replying, merging, retrying, visibility."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from channels.base import Attachment
from helpdesk.extensions import db
from helpdesk.models import Message, Ticket
from helpdesk.services import tickets
from helpdesk.services.tickets import SORTS
from tests.api.helpers import errors_of


@pytest.fixture
def mine(agent, inbound) -> int:
    """A ticket of the Support group, the agent's own."""
    return inbound(email="maria@customer.example", name="María", subject="Broken login").ticket_id


@pytest.fixture
def foreign(groups, inbound) -> int:
    """A ticket of the Billing group, which the Support agent may not see."""
    return inbound(email="bill@customer.example", subject="Invoice", group_hint="Billing").ticket_id


def ids(response) -> list[int]:
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["items"]]


def test_agents_list_their_groups_tickets_and_supervisors_every_ticket(api, api_as, make_user, mine, foreign):
    assert ids(api.get("/tickets")) == [mine]
    supervisor = api_as(make_user(role="supervisor", groups=()))
    assert set(ids(supervisor.get("/tickets"))) == {mine, foreign}


def test_list_filters_match_the_console(api, agent, inbound, groups):
    kim = inbound(email="kim@example.com", name="Kim Possible", subject="Invoice wrong").ticket_id
    ron = inbound(email="ron@example.com", subject="Password", body="the laser is broken").ticket_id
    chat = inbound(kind="telegram", email="4242", channel="telegram", source="bot", body="hi").ticket_id
    tickets.update_ticket(db.session.get(Ticket, ron), agent, priority="urgent", tags=["Laser"], status="pending",
                          assignee_id=agent.id)
    tickets.update_ticket(db.session.get(Ticket, chat), agent, status="solved")
    kim_customer = db.session.get(Ticket, kim).customer_id
    assert set(ids(api.get("/tickets?status=pending&status=solved"))) == {ron, chat}
    assert ids(api.get("/tickets?priority=urgent")) == [ron]
    assert ids(api.get("/tickets?tag=laser")) == [ron]
    assert ids(api.get(f"/tickets?customer_id={kim_customer}")) == [kim]
    assert ids(api.get("/tickets?q=invoice")) == [kim]
    assert ids(api.get("/tickets?q=Possible")) == [kim]
    assert ids(api.get("/tickets?channel=telegram")) == [chat]
    assert ids(api.get(f"/tickets?assignee_id={agent.id}")) == [ron]
    assert set(ids(api.get("/tickets?unassigned=true"))) == {kim, chat}
    assert ids(api.get("/tickets?view=mine")) == [ron]
    assert ids(api.get("/tickets?view=solved")) == [chat]
    assert set(ids(api.get("/tickets?view=open"))) == {kim, ron}
    assert set(ids(api.get(f"/tickets?group_id={groups[0].id}"))) == {kim, ron, chat}
    assert ids(api.get(f"/tickets?group_id={groups[1].id}")) == []


@pytest.mark.parametrize("sort", list(SORTS))
def test_cursor_pagination_walks_every_ticket_once(api, agent, inbound, sort):
    created = set()
    for n in range(23):
        ticket_id = inbound(email=f"c{n}@example.com", body=f"ticket {n}").ticket_id
        if n % 3 == 0:
            tickets.update_ticket(db.session.get(Ticket, ticket_id), agent, priority="high")
        created.add(ticket_id)
    seen, cursor, pages = [], None, 0
    while True:
        response = api.get("/tickets", query_string={"sort": sort, "limit": 5, **({"cursor": cursor} if cursor else {})})
        seen += ids(response)
        pages += 1
        cursor = response.get_json()["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 23 and set(seen) == created
    assert pages == 5


@pytest.mark.parametrize(("query", "field"), [
    ("status=bogus", "status"), ("priority=meh", "priority"), ("view=everything", "view"), ("sort=random", "sort"),
    ("limit=0", "limit"), ("limit=101", "limit"), ("cursor=forged", "cursor"), ("group_id=abc", "group_id"),
    ("assignee_id=99999999999", "assignee_id"), ("tag=" + "t" * 65, "tag"), ("unassigned=perhaps", "unassigned"),
])
def test_bad_list_arguments_are_refused_naming_the_argument(api, query, field):
    response = api.get(f"/tickets?{query}")
    assert response.status_code == 422
    assert field in errors_of(response, "query")


def test_a_ticket_reads_with_messages_attachments_and_timeline(api, agent, inbound):
    html = '<p>Hi <b>there</b><script>alert(1)</script><img src="x" onerror="alert(2)"></p>'
    ticket_id = inbound(email="ana@example.com", name="Ana", subject="Receipt", body="Hi there", body_html=html,
                        attachments=(Attachment(filename="receipt.txt", content=b"hello", content_type="text/plain"),)
                        ).ticket_id
    assert api.post(f"/tickets/{ticket_id}/replies", json={"body": "check the VAT", "internal": True}).status_code == 201
    body = api.get(f"/tickets/{ticket_id}").get_json()
    assert (body["id"], body["subject"], body["customer"]["name"], body["status"]) == (ticket_id, "Receipt", "Ana", "new")
    inbound_message, note = body["messages"]
    assert inbound_message["kind"] == "inbound" and inbound_message["author"] is None
    assert (inbound_message["direction"], inbound_message["channel"], inbound_message["sender"]) == (
        "in", "web", "Ana <ana@example.com>")
    assert inbound_message["external_id"] and note["direction"] == "internal"
    assert inbound_message["identity"] == {"kind": "email", "address": "ana@example.com",
                                           "customer_id": body["customer_id"]}
    assert "<b>there</b>" in inbound_message["body_html"]
    assert "script" not in inbound_message["body_html"] and "onerror" not in inbound_message["body_html"]
    (attachment,) = inbound_message["attachments"]
    assert attachment["filename"] == "receipt.txt" and attachment["size"] == 5
    assert attachment["url"] == f"/attachments/{attachment['id']}" and len(attachment["sha256"]) == 64
    assert api.client.get(attachment["url"], headers=api.headers).data == b"hello"
    assert note["kind"] == "note" and note["author"] == {"id": agent.id, "name": agent.name}
    assert note["delivery_state"] is None and note["body_text"] == "check the VAT"
    assert [e["kind"] for e in body["events"]] == ["created"]
    assert body["created_at"].endswith("+00:00")


def test_foreign_and_unknown_tickets_are_404_on_every_endpoint(api, mine, foreign, row_counts):
    before = row_counts()
    foreign_message = db.session.scalar(select(Message.id).where(Message.ticket_id == foreign))
    for ticket_id in (foreign, 999_999, 2**31 + 7):
        requests = [
            api.get(f"/tickets/{ticket_id}"),
            api.patch(f"/tickets/{ticket_id}", json={"status": "solved"}),
            api.post(f"/tickets/{ticket_id}/replies", json={"body": "hello"}),
            api.post(f"/tickets/{ticket_id}/merge", json={"target_id": mine}),
            api.post(f"/tickets/{ticket_id}/messages/{foreign_message}/retry"),
        ]
        assert [r.status_code for r in requests] == [404] * 5, [r.get_json() for r in requests]
    assert row_counts() == before
    assert ids(api.get(f"/tickets?q={foreign}")) == []


def test_a_foreign_merge_target_is_refused_like_an_unknown_one(api, mine, foreign, row_counts):
    before = row_counts()
    for target in (foreign, 999_999):
        response = api.post(f"/tickets/{mine}/merge", json={"target_id": target})
        assert response.status_code == 422
        assert errors_of(response)["target_id"] == [f"no ticket {target}"]
    assert row_counts() == before


def test_opening_a_ticket_goes_through_ingestion(api_as, make_user, groups):
    # A supervisor: an agent may name only their own groups (tests/api/test_ticket_create.py).
    supervisor = api_as(make_user(role="supervisor", groups=()))
    response = supervisor.post("/tickets", json={"customer": {"email": "Maria@Customer.example", "name": "María"},
                                                 "subject": "Scale-out", "body": "hello", "group": "Billing"})
    assert response.status_code == 201, response.get_json()
    ticket = response.get_json()
    assert (ticket["status"], ticket["channel"], ticket["source"], ticket["subject"]) == ("new", "web", "api", "Scale-out")
    stored = db.session.get(Ticket, ticket["id"])
    assert stored.customer.name == "María" and stored.customer.primary_email == "maria@customer.example"
    assert stored.group.name == "Billing"


def test_html_and_script_are_stored_as_text_and_returned_as_data(api_as, make_user):
    supervisor = api_as(make_user(role="supervisor", groups=()))
    subject, body = "<script>alert('s')</script> & more", "<img src=x onerror=alert(1)>\n<b>bold</b>"
    ticket_id = supervisor.post("/tickets", json={"customer": {"email": "x@example.com"}, "subject": subject,
                                                  "body": body}).get_json()["id"]
    ticket = supervisor.get(f"/tickets/{ticket_id}").get_json()
    assert ticket["subject"] == subject
    assert ticket["messages"][0]["body_text"] == body and ticket["messages"][0]["body_html"] is None


def test_opening_is_idempotent_per_user_on_external_id(api, api_as, make_user, row_counts):
    payload = {"customer": {"email": "a@example.com"}, "body": "once", "external_id": "crm-123"}
    first = api.post("/tickets", json=payload)
    again = api.post("/tickets", json=payload | {"body": "twice"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["id"] == again.get_json()["id"]
    assert row_counts()["tickets"] == 1 and row_counts()["messages"] == 1
    other = api_as(make_user(groups=("Support",))).post("/tickets", json=payload)
    assert other.status_code == 201 and other.get_json()["id"] != first.get_json()["id"]


OK_TICKET = {"customer": {"email": "ok@example.com", "name": "Ok"}, "subject": "Fine", "body": "fine"}


@pytest.mark.parametrize(("change", "path"), [
    ({"customer": None}, ["customer"]),
    ({"customer": {"name": "No Mail"}}, ["customer", "email"]),
    ({"customer": {"email": "not-an-address"}}, ["customer", "email"]),
    ({"customer": {"email": "ok@example.com", "name": "n" * 201}}, ["customer", "name"]),
    ({"subject": "s" * 256}, ["subject"]),
    ({"body": "b" * 100_001}, ["body"]),
    ({"body": "   \n "}, ["body"]),
    ({"body": None}, ["body"]),
    ({"group": "No Such Group"}, ["group"]),
    ({"external_id": ""}, ["external_id"]),
    ({"priority": "critical"}, ["priority"]),
])
def test_a_bad_new_ticket_is_refused_naming_the_field_and_stores_nothing(api, row_counts, change, path):
    before = row_counts()
    payload = {k: v for k, v in (OK_TICKET | change).items() if v is not None}
    response = api.post("/tickets", json=payload)
    assert response.status_code == 422, response.get_json()
    errors = errors_of(response)
    for key in path:
        errors = errors[key]
    assert errors
    assert row_counts() == before


def test_changing_a_ticket_records_each_change(api, agent, mine):
    response = api.patch(f"/tickets/{mine}", json={"status": "pending", "priority": "high", "tags": ["VIP", "vip", "billing"],
                                                   "subject": "  Login   broken ", "assignee_id": agent.id})
    assert response.status_code == 200, response.get_json()
    ticket = response.get_json()
    assert (ticket["status"], ticket["priority"], ticket["subject"]) == ("pending", "high", "Login broken")
    assert ticket["tags"] == ["billing", "vip"] and ticket["assignee_id"] == agent.id
    (change,) = [e for e in api.get(f"/tickets/{mine}").get_json()["events"] if e["kind"] == "changed"]
    assert change["actor"]["id"] == agent.id and change["data"]["status"] == ["new", "pending"]


@pytest.mark.parametrize(("bad", "field"), [
    ({"status": "archived"}, "status"),
    ({"priority": "critical"}, "priority"),
    ({"tags": ["t" * 65]}, "tags"),
    ({"tags": ["   "]}, "tags"),
    ({"subject": "s" * 256}, "subject"),
    ({"subject": " "}, "subject"),
    ({"group_id": 999_999}, "group_id"),
    ({"assignee_id": "1"}, "assignee_id"),
    ({"assignee_id": "billing-agent"}, "assignee_id"),
    ({"customer_id": 1}, "customer_id"),
])
def test_a_bad_change_is_refused_naming_the_field_and_nothing_is_half_applied(api, make_user, mine, row_counts,
                                                                             bad, field):
    if bad.get("assignee_id") == "billing-agent":
        bad = {"assignee_id": make_user(groups=("Billing",)).id}
    before = row_counts()
    response = api.patch(f"/tickets/{mine}", json={"subject": "Changed", "priority": "low"} | bad)
    assert response.status_code == 422, response.get_json()
    assert field in errors_of(response)
    assert row_counts() == before
    ticket = api.get(f"/tickets/{mine}").get_json()
    assert (ticket["subject"], ticket["priority"]) == ("Broken login", "normal")


def test_a_reply_is_queued_then_sent_by_the_job(deferred_jobs, api, mine, smtp_server):
    from helpdesk.jobs import queue as jobs

    response = api.post(f"/tickets/{mine}/replies", json={"body": "Please try again now."})
    assert response.status_code == 201
    message = response.get_json()
    assert (message["kind"], message["delivery_state"], message["ticket_id"]) == ("outbound", "queued", mine)
    assert smtp_server.messages == []
    assert jobs.deliver_message.call_local(message["id"]) == "sent"
    db.session.rollback()  # end the test's read snapshot, as the end of a request would
    (stored,) = [m for m in api.get(f"/tickets/{mine}").get_json()["messages"] if m["kind"] == "outbound"]
    assert stored["delivery_state"] == "sent" and stored["delivery_error"] is None
    (envelope,) = smtp_server.messages
    assert envelope.rcpt_tos == ["maria@customer.example"]


def test_an_internal_note_is_never_sent(api, mine, smtp_server):
    note = api.post(f"/tickets/{mine}/replies", json={"body": "customer sounds upset", "internal": True}).get_json()
    assert (note["kind"], note["delivery_state"]) == ("note", None)
    assert smtp_server.messages == []


@pytest.mark.parametrize(("payload", "field"), [
    ({}, "body"), ({"body": ""}, "body"), ({"body": " \t"}, "body"), ({"body": "b" * 100_001}, "body"),
    ({"body": "ok", "internal": "perhaps"}, "internal"), ({"body": "ok", "cc": "x@example.com"}, "cc"),
])
def test_a_bad_reply_is_refused_naming_the_field(api, mine, row_counts, payload, field):
    before = row_counts()
    response = api.post(f"/tickets/{mine}/replies", json=payload)
    assert response.status_code == 422 and field in errors_of(response)
    assert row_counts() == before


def test_merging_moves_messages_and_closes_the_source(api, inbound, mine, row_counts):
    other = inbound(email="maria@customer.example", subject="Also broken", thread_key="second").ticket_id
    response = api.post(f"/tickets/{other}/merge", json={"target_id": mine})
    assert response.status_code == 200 and response.get_json()["id"] == mine
    source = api.get(f"/tickets/{other}").get_json()
    assert (source["merged_into_id"], source["status"], source["messages"]) == (mine, "closed", [])
    assert len(api.get(f"/tickets/{mine}").get_json()["messages"]) == 2
    before = row_counts()
    for target, source_id in ((mine, mine), (other, mine)):
        refused = api.post(f"/tickets/{source_id}/merge", json={"target_id": target})
        assert refused.status_code == 422 and "target_id" in errors_of(refused)
    replied = api.post(f"/tickets/{other}/replies", json={"body": "too late"})
    assert replied.status_code == 422 and "ticket" in errors_of(replied)
    assert row_counts() == before


def test_a_failed_delivery_can_be_retried_once_it_failed(api, mine, inbound, smtp_server):
    smtp_server.refuse_with = "550 5.1.1 no such user"
    failed = api.post(f"/tickets/{mine}/replies", json={"body": "hello"}).get_json()
    assert failed["delivery_state"] == "failed" and "550" in failed["delivery_error"]
    smtp_server.refuse_with = None
    retried = api.post(f"/tickets/{mine}/messages/{failed['id']}/retry")
    assert retried.status_code == 200, retried.get_json()
    assert api.get(f"/tickets/{mine}").get_json()["messages"][-1]["delivery_state"] == "sent"
    assert len(smtp_server.messages) == 1
    again = api.post(f"/tickets/{mine}/messages/{failed['id']}/retry")
    assert again.status_code == 422 and "message" in errors_of(again, "path")
    elsewhere = inbound(email="someone@example.com").ticket_id
    assert api.post(f"/tickets/{elsewhere}/messages/{failed['id']}/retry").status_code == 404


def test_a_change_waits_for_a_background_writer_instead_of_failing(api, mine, monkeypatch):
    """A listener or job that commits while a request is between its first read and its write:
    on SQLite the request's transaction could not write any more ("database is locked")."""
    import threading

    from sqlalchemy import text

    engine, real, writer = db.engine, tickets.update_ticket, []

    def background_write() -> None:
        with engine.begin() as connection:
            connection.execute(text("UPDATE customers SET notes = 'touched by a job'"))
        writer.append("committed")

    def update_after_a_background_commit(*args, **kwargs):
        thread = threading.Thread(target=background_write)
        thread.start()
        thread.join(timeout=0.5)  # it commits at once unless the request holds the write lock
        writer.append(thread)
        return real(*args, **kwargs)

    monkeypatch.setattr(tickets, "update_ticket", update_after_a_background_commit)
    response = api.patch(f"/tickets/{mine}", json={"status": "pending"})
    assert response.status_code == 200, response.get_json()
    writer[-1].join(timeout=15)
    assert "committed" in writer and response.get_json()["status"] == "pending"
