"""Split and link over the API: messages move to a new ticket of the same customer, both tickets
record it, links are symmetric and follow the ticket rule."""

from __future__ import annotations

import pytest

from tests.api.helpers import errors_of


@pytest.fixture
def thread(agent, inbound) -> tuple[int, list[int]]:
    """A Telegram conversation of three customer messages on one ticket."""
    results = [inbound(kind="telegram", email="77", name="Tom", channel="telegram", source="bot",
                       thread_key="chat-77", body=body) for body in ("My login fails", "Also: invoice is wrong",
                                                                     "And the invoice total too")]
    assert len({r.ticket_id for r in results}) == 1
    return results[0].ticket_id, [r.message_id for r in results]


def test_chosen_messages_move_to_a_new_ticket_and_both_timelines_say_so(api, thread):
    ticket_id, (login, invoice, total) = thread
    response = api.post(f"/tickets/{ticket_id}/split", json={"message_ids": [invoice, total]})
    assert response.status_code == 201, response.get_json()
    new = response.get_json()
    assert new["subject"] == f"Split from #{ticket_id}: My login fails"
    assert (new["status"], new["channel"]) == ("open", "telegram")
    old = api.get(f"/tickets/{ticket_id}").get_json()
    assert [m["id"] for m in old["messages"]] == [login]
    moved = api.get(f"/tickets/{new['id']}").get_json()
    assert [m["id"] for m in moved["messages"]] == [invoice, total] and moved["customer_id"] == old["customer_id"]
    assert [(e["kind"], e["data"]) for e in old["events"]][-1] == ("split_into", {"ticket": new["id"]})
    assert ("split_from", {"ticket": ticket_id}) in [(e["kind"], e["data"]) for e in moved["events"]]
    links = api.get(f"/tickets/{ticket_id}/links").get_json()["items"]
    assert [(link["ticket"]["id"], link["kind"]) for link in links] == [(new["id"], "split_into")]
    back = api.get(f"/tickets/{new['id']}/links").get_json()["items"]
    assert [(link["ticket"]["id"], link["kind"]) for link in back] == [(ticket_id, "split_from")]


def test_a_split_must_leave_a_message_and_take_only_this_tickets(api, thread, inbound, row_counts):
    ticket_id, ids = thread
    other_message = inbound(email="kim@example.com").message_id
    before = row_counts()
    for body in ({"message_ids": ids}, {"message_ids": [other_message]}, {"message_ids": []},
                 {"message_ids": [ids[0]], "subject": "x" * 256}):
        response = api.post(f"/tickets/{ticket_id}/split", json=body)
        assert response.status_code == 422, body
        assert set(errors_of(response)) & {"message_ids", "subject"}
    assert row_counts() == before


def test_related_tickets_link_both_ways_within_what_the_agent_sees(api, agent, inbound, groups):
    a = inbound(email="a@example.com", subject="Outage A").ticket_id
    b = inbound(email="b@example.com", subject="Outage B").ticket_id
    billing = inbound(email="c@example.com", subject="Invoice", group_hint="Billing").ticket_id
    linked = api.post(f"/tickets/{a}/links", json={"ticket_id": b})
    assert linked.status_code == 201
    assert [link["ticket"]["id"] for link in linked.get_json()["items"]] == [b]
    assert [link["kind"] for link in api.get(f"/tickets/{b}/links").get_json()["items"]] == ["related"]
    assert api.post(f"/tickets/{a}/links", json={"ticket_id": b}).status_code == 422  # linked already
    assert api.post(f"/tickets/{a}/links", json={"ticket_id": a}).status_code == 422
    assert "ticket_id" in errors_of(api.post(f"/tickets/{a}/links", json={"ticket_id": billing}))  # not hers
    assert api.get(f"/tickets/{billing}/links").status_code == 404
    events = api.get(f"/tickets/{b}").get_json()["events"]
    assert ("linked", {"ticket": a}) in [(e["kind"], e["data"]) for e in events]
    assert api.delete(f"/tickets/{b}/links/{a}").status_code == 204
    assert api.get(f"/tickets/{a}/links").get_json()["items"] == []
    assert api.delete(f"/tickets/{b}/links/{a}").status_code == 422
