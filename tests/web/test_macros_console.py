"""Macros in the console: the management page, and the composer's picker, preview and apply."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Macro, Message, Ticket

FORM = {"name": "Password reset", "scope": "personal", "body": "Hi {{customer.first_name}}, reset it here.",
        "translation_language": ["es", ""], "translation_text": ["Hola {{customer.first_name}}.", ""],
        "status": "pending", "priority": "", "group_id": "", "assignee": "me", "add_tags": "password, howto",
        "remove_tags": "", "note": "Sent the reset guide"}


def test_an_agent_creates_edits_and_deletes_a_personal_macro(client, agent):
    assert "No macros yet" in client.get("/macros").get_data(as_text=True)
    assert client.post("/macros", data=FORM).status_code == 303
    macro = db.session.scalar(select(Macro))
    assert (macro.scope, macro.owner_id, macro.translations) == ("personal", agent.id, {"es": "Hola {{customer.first_name}}."})
    assert macro.actions == {"status": "pending", "assign_to_me": True, "add_tags": ["password", "howto"],
                             "note": "Sent the reset guide"}
    page = client.get("/macros").get_data(as_text=True)
    assert "Password reset" in page and "Status → pending" in page and "add tags password, howto" in page
    assert 'value="es"' in client.get(f"/macros/{macro.id}").get_data(as_text=True)
    assert client.post(f"/macros/{macro.id}", data=FORM | {"name": "Reset link"}).status_code == 303
    assert db.session.get(Macro, macro.id).name == "Reset link"
    assert client.post(f"/macros/{macro.id}/delete").status_code == 303
    assert db.session.scalar(select(Macro)) is None


def test_agents_cannot_make_shared_macros_and_see_the_error(client, agent):
    refused = client.post("/macros", data=FORM | {"scope": "shared"})
    assert refused.status_code == 422 and "only admins and supervisors" in refused.get_data(as_text=True)
    refused = client.post("/macros", data=FORM | {"name": ""})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Sent the reset guide" in page and 'value="password, howto"' in page
    assert 'value="es"' in page and '<option value="me" selected>' in page  # nothing typed is lost
    assert db.session.scalar(select(Macro)) is None


def test_the_composer_searches_previews_and_applies_a_macro(client, agent, inbound):
    ticket_id = inbound(email="maria@example.com", name="María <b>López</b>", subject="Locked out").ticket_id
    client.post("/macros", data=FORM)
    macro = db.session.scalar(select(Macro))
    found = client.get(f"/tickets/{ticket_id}/macros?q=pass").get_data(as_text=True)
    assert f'data-macro-id="{macro.id}"' in found
    assert "No macro matches" in client.get(f"/tickets/{ticket_id}/macros?q=zzz").get_data(as_text=True)
    preview = client.get(f"/tickets/{ticket_id}/macros/{macro.id}/preview").get_data(as_text=True)
    assert "Hi María, reset it here." in preview and "Status: new → <strong>pending</strong>" in preview
    assert "Assignee: unassigned → <strong>Ana Agent</strong>" in preview and "Sent the reset guide" in preview
    assert db.session.get(Ticket, ticket_id).status == "new"  # previewing changes nothing
    applied = client.post(f"/tickets/{ticket_id}/macros/{macro.id}")
    assert applied.status_code == 200 and applied.get_json()["reply"] == "Hi María, reset it here."
    ticket = db.session.get(Ticket, ticket_id)
    assert (ticket.status, ticket.assignee_id, ticket.tags) == ("pending", agent.id, ["howto", "password"])
    kinds = [m.kind for m in db.session.scalars(select(Message).where(Message.ticket_id == ticket_id))]
    assert kinds == ["inbound", "note"]  # the reply waits in the composer (the draft)
    assert client.get(f"/tickets/{ticket_id}/draft").get_json()["body"] == "Hi María, reset it here."
    assert db.session.get(Macro, macro.id).usage_count == 1


def test_macros_of_others_and_foreign_tickets_are_404(client, agent, inbound, make_user, groups):
    other = make_user(groups=("Support",))
    macro = Macro(name="Theirs", body="x", scope="personal", owner_id=other.id, translations={}, actions={})
    db.session.add(macro)
    db.session.commit()
    mine = inbound(subject="Mine").ticket_id
    billing = inbound(subject="Theirs", group_hint="Billing").ticket_id
    assert client.get(f"/tickets/{mine}/macros/{macro.id}/preview").status_code == 404
    assert client.post(f"/tickets/{mine}/macros/{macro.id}").status_code == 404
    assert client.get(f"/macros/{macro.id}").status_code == 404
    assert client.get(f"/tickets/{billing}/macros").status_code == 404
