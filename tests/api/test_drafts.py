"""The composer's draft over the API: saved, read back by the same agent only, discarded by a blank
save, by DELETE and by sending the reply."""

from __future__ import annotations

from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import Draft
from tests.api.helpers import errors_of


def test_a_draft_is_saved_read_back_and_replaced(api, inbound, agent):
    ticket_id = inbound(subject="Refund").ticket_id
    assert api.get(f"/tickets/{ticket_id}/draft").status_code == 404
    saved = api.put(f"/tickets/{ticket_id}/draft", json={"body": "Dear María, we"})
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["body"] == "Dear María, we" and saved.get_json()["internal"] is False
    api.put(f"/tickets/{ticket_id}/draft", json={"body": "Dear María, we refunded it.", "internal": True})
    read = api.get(f"/tickets/{ticket_id}/draft").get_json()
    assert read["body"] == "Dear María, we refunded it." and read["internal"] is True
    assert read["updated_at"].endswith("+00:00")
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 1


def test_drafts_are_per_agent_and_never_cross_groups(api, api_as, make_user, inbound, agent, groups):
    ticket_id = inbound(subject="Shared").ticket_id
    ben = api_as(make_user(groups=("Support",)))
    api.put(f"/tickets/{ticket_id}/draft", json={"body": "Ana's words"})
    ben.put(f"/tickets/{ticket_id}/draft", json={"body": "Ben's words"})
    assert api.get(f"/tickets/{ticket_id}/draft").get_json()["body"] == "Ana's words"
    assert ben.get(f"/tickets/{ticket_id}/draft").get_json()["body"] == "Ben's words"
    billing = inbound(subject="Invoice", group_hint="Billing").ticket_id
    assert api.put(f"/tickets/{billing}/draft", json={"body": "peek"}).status_code == 404
    assert api.get(f"/tickets/{billing}/draft").status_code == 404


def test_blank_save_delete_and_sending_discard_the_draft(api, inbound, agent):
    ticket_id = inbound(subject="Login").ticket_id
    api.put(f"/tickets/{ticket_id}/draft", json={"body": "half a thought"})
    assert api.put(f"/tickets/{ticket_id}/draft", json={"body": "   "}).status_code == 204
    assert api.get(f"/tickets/{ticket_id}/draft").status_code == 404
    api.put(f"/tickets/{ticket_id}/draft", json={"body": "again"})
    assert api.delete(f"/tickets/{ticket_id}/draft").status_code == 204
    assert api.get(f"/tickets/{ticket_id}/draft").status_code == 404
    api.put(f"/tickets/{ticket_id}/draft", json={"body": "Fixed it"})
    sent = api.post(f"/tickets/{ticket_id}/replies", json={"body": "Fixed it", "then_status": "solved"})
    assert sent.status_code == 201, sent.get_json()
    assert api.get(f"/tickets/{ticket_id}/draft").status_code == 404
    assert api.get(f"/tickets/{ticket_id}").get_json()["status"] == "solved"


def test_bad_drafts_and_statuses_are_422_with_the_field(api, inbound, agent):
    ticket_id = inbound(subject="Bad").ticket_id
    assert "body" in errors_of(api.put(f"/tickets/{ticket_id}/draft", json={"internal": True}))
    assert "body" in errors_of(api.put(f"/tickets/{ticket_id}/draft", json={"body": "x" * 100_001}))
    assert "internal" in errors_of(api.put(f"/tickets/{ticket_id}/draft", json={"body": "x", "internal": "maybe"}))
    wrong = api.post(f"/tickets/{ticket_id}/replies", json={"body": "hi", "then_status": "closed"})
    assert "then_status" in errors_of(wrong)
    assert api.get(f"/tickets/{ticket_id}").get_json()["status"] == "new"  # nothing was sent
