"""The composer in the console: drafts saved in the background and rendered back into the page,
properties saved without a reload, "Send and set pending / solved"."""

from __future__ import annotations

from helpdesk.extensions import db
from helpdesk.models import Ticket


def test_a_saved_draft_comes_back_in_the_composer_after_a_reload(client, agent, inbound):
    ticket_id = inbound(subject="Refund").ticket_id
    saved = client.put(f"/tickets/{ticket_id}/draft", json={"body": "Dear <b>María</b>, we", "internal": True})
    assert saved.status_code == 200 and saved.get_json()["body"] == "Dear <b>María</b>, we"
    html = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert ">Dear &lt;b&gt;María&lt;/b&gt;, we</textarea>" in html
    assert 'name="internal" value="1" checked' in html and "Draft restored" in html
    assert client.get(f"/tickets/{ticket_id}/draft").get_json()["internal"] is True
    assert client.delete(f"/tickets/{ticket_id}/draft").status_code == 204
    assert "Draft restored" not in client.get(f"/tickets/{ticket_id}").get_data(as_text=True)


def test_draft_saves_are_validated_and_scoped_to_visible_tickets(client, agent, inbound):
    ticket_id = inbound(subject="Mine").ticket_id
    assert client.put(f"/tickets/{ticket_id}/draft", data="nonsense").status_code == 400
    assert client.put(f"/tickets/{ticket_id}/draft", json={"body": 5}).status_code == 400
    assert client.put(f"/tickets/{ticket_id}/draft", json={"body": "x" * 100_001}).status_code == 422
    billing = inbound(subject="Theirs", group_hint="Billing").ticket_id
    assert client.put(f"/tickets/{billing}/draft", json={"body": "peek"}).status_code == 404


def test_properties_save_in_the_background_and_answer_json(client, agent, inbound):
    ticket_id = inbound(subject="Props").ticket_id
    headers = {"X-Requested-With": "fetch"}
    done = client.post(f"/tickets/{ticket_id}/update", data={"status": "pending", "tags": "vip, refund"},
                       headers=headers)
    assert done.status_code == 200
    assert done.get_json() == {"changes": {"status": ["new", "pending"], "tags": [[], ["vip", "refund"]]},
                               "visible": True}
    bad = client.post(f"/tickets/{ticket_id}/update", data={"priority": "whenever"}, headers=headers)
    assert bad.status_code == 422 and bad.get_json()["field"] == "priority"


def test_send_and_set_solved_sends_clears_the_draft_and_solves(client, agent, inbound):
    ticket_id = inbound(subject="Solve me").ticket_id
    client.put(f"/tickets/{ticket_id}/draft", json={"body": "All done"})
    sent = client.post(f"/tickets/{ticket_id}/reply", data={"body": "All done", "then_status": "solved"})
    assert sent.status_code == 303
    assert db.session.get(Ticket, ticket_id).status == "solved"
    assert client.get(f"/tickets/{ticket_id}/draft").get_json()["body"] == ""
    refused = client.post(f"/tickets/{ticket_id}/reply", data={"body": "x", "then_status": "closed"})
    assert refused.status_code == 303 and db.session.get(Ticket, ticket_id).status == "solved"
