"""A signed-in customer's tickets in the portal: every channel, public messages only, replies with
files through ingestion, close and reopen, a pending survey, an organization manager's view, and
404 for everything that is someone else's."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Message, Organization, Ticket, TicketEvent
from helpdesk.models.base import utcnow
from helpdesk.services import customers, replies, tickets
from helpdesk.services.portal import links
from helpdesk.services.surveys import sending as surveys
from helpdesk.services.surveys import settings as survey_settings


@pytest.fixture
def portal_client(app):
    """portal_client(customer) -> a test client signed in to the portal as `customer`, by a link."""

    def sign_in(customer):
        client = app.test_client()
        token = links.issue(customer, "mail")
        assert client.post(f"/portal/en/sign-in/{token}").status_code == 303
        return client

    return sign_in


@pytest.fixture
def ana(app):
    """Ana: a customer reachable by e-mail and Telegram."""
    return customers.create_customer(name="Ana Pérez", identities=[("email", "ana@example.com"),
                                                                   ("telegram", "5550001")])


def _ticket(result) -> Ticket:
    return db.session.get(Ticket, result.ticket_id)


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_a_customer_sees_tickets_of_every_channel_and_no_internal_note(ana, inbound, portal_client, make_user, groups):
    mail = _ticket(inbound(email="ana@example.com", body="Invoice is wrong", subject="Invoice", channel="email",
                           source="mailbox"))
    chat = _ticket(inbound(email="5550001", kind="telegram", body="Parcel never came", channel="telegram",
                           source="telegram:bot"))
    agent = make_user()
    replies.add_reply(mail, agent, body="Secret: customer seems upset, refund quietly", internal=True)
    replies.add_reply(mail, agent, body="We are looking at your invoice now.")
    client = portal_client(ana)
    listing = _text(client.get("/portal/en/"))
    assert "Invoice" in listing and "Parcel never came" in listing and "via telegram" in listing
    page = _text(client.get(f"/portal/en/tickets/{mail.id}"))
    assert "Invoice is wrong" in page and "We are looking at your invoice now." in page
    assert "Secret" not in page and "refund quietly" not in page
    assert client.get(f"/portal/en/tickets/{chat.id}").status_code == 200


def test_another_customers_ticket_and_files_are_not_found(ana, inbound, portal_client, make_user, groups):
    theirs = _ticket(inbound(email="bob@example.com", body="Bob's private matter"))
    agent = make_user()
    from channels.base import Attachment as File

    note = replies.add_reply(theirs, agent, body="note with a file", internal=True,
                             files=(File("secret.txt", b"hidden", "text/plain"),))
    own = _ticket(inbound(email="ana@example.com", body="Mine"))
    own_note = replies.add_reply(own, agent, body="our own note", internal=True,
                                 files=(File("internal.txt", b"internal", "text/plain"),))
    client = portal_client(ana)
    for path in (f"/portal/en/tickets/{theirs.id}", f"/portal/en/tickets/{theirs.id}/reply",
                 f"/portal/en/tickets/{theirs.id}/close", "/portal/en/tickets/999999",
                 f"/portal/files/{note.attachments[0].id}", f"/portal/files/{own_note.attachments[0].id}"):
        answer = client.post(path, data={"body": "x"}) if path.endswith(("reply", "close")) else client.get(path)
        assert answer.status_code == 404, path
        assert "Bob" not in _text(answer)
    assert "Bob's private matter" not in _text(client.get("/portal/en/"))


def test_a_reply_with_a_file_enters_as_the_customers_message(ana, inbound, portal_client, make_user, groups):
    ticket = _ticket(inbound(email="ana@example.com", body="Broken screen"))
    agent = make_user()
    tickets.update_ticket(ticket, agent, status="pending")
    replies.add_reply(ticket, agent, body="Could you send a photo?")
    client = portal_client(ana)
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    answer = client.post(f"/portal/en/tickets/{ticket.id}/reply",
                         data={"body": "Here it is <script>alert(1)</script>",
                               "files": [(io.BytesIO(png), "photo.png", "image/png")]},
                         content_type="multipart/form-data")
    assert answer.status_code == 303
    db.session.expire_all()
    message = db.session.scalar(select(Message).where(Message.ticket_id == ticket.id).order_by(Message.id.desc()))
    assert (message.kind, message.channel, message.identity.customer_id) == ("inbound", "portal", ana.id)
    assert message.attachments[0].filename == "photo.png" and message.attachments[0].content_type == "image/png"
    assert db.session.get(Ticket, ticket.id).status == "open"  # the customer answered: it waits on us again
    page = _text(client.get(f"/portal/en/tickets/{ticket.id}"))
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    download = client.get(f"/portal/files/{message.attachments[0].id}")
    assert download.status_code == 200 and download.data == png
    assert download.headers["Content-Disposition"].startswith("attachment")
    # The agent sees it on the ticket as the customer's message.
    staff = client.application.test_client()
    staff.post("/login", data={"email": agent.email, "password": "correct horse battery"})
    assert "photo.png" in _text(staff.get(f"/tickets/{ticket.id}"))


def test_an_empty_reply_and_too_many_files_are_refused(ana, inbound, portal_client):
    ticket = _ticket(inbound(email="ana@example.com", body="Hello"))
    client = portal_client(ana)
    assert client.post(f"/portal/en/tickets/{ticket.id}/reply", data={"body": "  "}).status_code == 422
    files = [(io.BytesIO(b"x"), f"f{i}.txt", "text/plain") for i in range(11)]
    refused = client.post(f"/portal/en/tickets/{ticket.id}/reply", data={"body": "files", "files": files},
                          content_type="multipart/form-data")
    assert refused.status_code == 422 and "at most 10 files" in _text(refused)
    assert db.session.scalar(select(Message).where(Message.body_text == "files")) is None


def test_a_customer_closes_and_reopens(ana, inbound, portal_client):
    ticket = _ticket(inbound(email="ana@example.com", body="Hello"))
    client = portal_client(ana)
    assert client.post(f"/portal/en/tickets/{ticket.id}/close").status_code == 303
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).status == "solved"
    assert f'data-ticket-id="{ticket.id}"' in _text(client.get("/portal/en/?state=done"))
    assert f'data-ticket-id="{ticket.id}"' not in _text(client.get("/portal/en/"))
    assert client.post(f"/portal/en/tickets/{ticket.id}/close").status_code == 409
    assert client.post(f"/portal/en/tickets/{ticket.id}/reopen").status_code == 303
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).status == "open"
    actions = [e.data["action"] for e in db.session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "customer_action"))]
    assert actions == ["closed", "reopened"]


def test_an_organizations_manager_sees_a_colleagues_ticket_and_a_plain_customer_does_not(app, inbound, portal_client):
    org = Organization(name="Acme", domain="acme.example")
    db.session.add(org)
    db.session.commit()
    boss = customers.create_customer(name="Boss", identities=[("email", "boss@acme.example")], organization_id=org.id)
    worker = customers.create_customer(name="Worker", identities=[("email", "worker@acme.example")],
                                       organization_id=org.id)
    colleague = customers.create_customer(name="Colleague", identities=[("email", "colleague@acme.example")],
                                          organization_id=org.id)
    boss.org_manager = True
    db.session.commit()
    theirs = _ticket(inbound(email="colleague@acme.example", body="Printer on fire"))
    outsider = _ticket(inbound(email="someone@else.example", body="Not Acme's"))
    manager = portal_client(boss)
    assert "Printer on fire" in _text(manager.get("/portal/en/")) and "Colleague" in _text(manager.get("/portal/en/"))
    assert manager.get(f"/portal/en/tickets/{theirs.id}").status_code == 200
    assert manager.get(f"/portal/en/tickets/{outsider.id}").status_code == 404
    assert manager.post(f"/portal/en/tickets/{theirs.id}/reply", data={"body": "I'll handle it"}).status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(Message.body_text).where(Message.ticket_id == theirs.id)
                             .order_by(Message.id.desc())) == "I'll handle it"
    plain = portal_client(worker)
    assert "Printer on fire" not in _text(plain.get("/portal/en/"))
    assert plain.get(f"/portal/en/tickets/{theirs.id}").status_code == 404
    assert colleague.id != worker.id


def test_a_pending_survey_is_answered_in_the_portal(ana, inbound, portal_client, make_user, groups):
    survey_settings.update_settings("csat", {"enabled": True, "delay_minutes": 0,
                                             "channels": list(survey_settings.SURVEY_CHANNELS),
                                             "min_days_between": 7, "expiry_days": 14, "follow_up_action": "none",
                                             "follow_up_max_score": survey_settings.low_score("csat")})
    ticket = _ticket(inbound(email="ana@example.com", body="Hello"))
    tickets.update_ticket(ticket, make_user(), status="solved")
    surveys.send_due("http://localhost", now=utcnow())
    client = portal_client(ana)
    page = _text(client.get(f"/portal/en/tickets/{ticket.id}"))
    assert 'id="survey"' in page
    survey_id = int(page.split("/surveys/")[1].split('"')[0])
    assert client.post(f"/portal/en/tickets/{ticket.id}/surveys/{survey_id}", data={"score": "9"}).status_code == 422
    done = client.post(f"/portal/en/tickets/{ticket.id}/surveys/{survey_id}", data={"score": "5", "comment": "Great"})
    assert done.status_code == 303
    from helpdesk.models import Survey

    db.session.expire_all()
    row = db.session.get(Survey, survey_id)
    assert (row.state, row.score, row.comment) == ("answered", 5, "Great")
    assert 'id="survey"' not in _text(client.get(f"/portal/en/tickets/{ticket.id}"))


def test_a_long_history_is_paged(ana, inbound, portal_client, app):
    from helpdesk.services.portal import tickets as portal_tickets

    for n in range(portal_tickets.PAGE + 2):
        inbound(email="ana@example.com", body=f"Request number {n:03d}", external_id=f"paged-{n}")
    client = portal_client(ana)
    first = _text(client.get("/portal/en/"))
    assert first.count("data-ticket-id=") == portal_tickets.PAGE and 'id="older"' in first
    second = _text(client.get("/portal/en/?page=2"))
    assert second.count("data-ticket-id=") == 2 and "Request number 000" in second and 'id="older"' not in second
