"""A customer with a distinctive word in every field, on every channel, and a bystander beside them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from channels.base import Attachment as IncomingFile
from channels.base import InboundMessage, Sender
from helpdesk.extensions import db
from helpdesk.models import (
    Call,
    CallEvent,
    ChannelAccount,
    Customer,
    CustomField,
    CustomValue,
    Draft,
    IdempotencyKey,
    Notification,
    PortalSession,
    Survey,
    Ticket,
    TicketEvent,
    Topic,
    TopicModel,
    Webhook,
    WebhookDelivery,
    WidgetConfirmation,
)
from helpdesk.models.base import utcnow
from helpdesk.services import audit, customers, replies
from helpdesk.services.ingest import ingest
from helpdesk.services.privacy import consent
from tests.surveys.conftest import agent, enable, solved  # noqa: F401 - surveys switched on, solved tickets

# One word each (search engines keep whole words), found nowhere else.
WORDS = {
    "first_name": "Zorblax", "last_name": "Quentworth", "email": "zorblax.quent@qzmail.example",
    "phone": "+34699123457", "telegram": "778899001122", "visitor": "qzvisitor8080", "notes": "qznotes9090",
    "unverified": "qzunverified@qzmail.example", "subject": "qzsubject7781", "body": "qzbody5512",
    "html": "qzhtml3131", "raw": "qzraw3391", "file_name": "qzattach4141", "file_content": "qzfilecontent4242",
    "cc": "qzcc@qzcopy.example", "telegram_text": "qztele6611", "chat_text": "qzchat2020",
    "note": "qznote1313", "customer_field": "qzcustomer5151", "ticket_field": "qzticketfield6161", "draft": "qzdraft1414", "comment": "qzcomment1515", "edited": "qzedited1616",
}
BYSTANDER = {"name": "Bystanderperson", "email": "bystander@other.example", "body": "bystanderbody777",
             "subject": "bystandersubject888", "file_content": "bystanderfile999"}


@dataclass
class People:
    target: Customer
    bystander: Customer
    ticket_ids: list[int]
    bystander_ticket_id: int


def _in(channel, source, kind, address, body, **fields):
    return InboundMessage(channel=channel, source=source, external_id=uuid.uuid4().hex,
                          sender=Sender(kind=kind, address=address, name=f"{WORDS['first_name']} {WORDS['last_name']}"),
                          body_text=body, **fields)


@pytest.fixture
def people(app, make_user, groups) -> People:
    w = WORDS
    raw = (f"From: {w['first_name']} {w['last_name']} <{w['email']}>\r\nSubject: {w['subject']}\r\n\r\n"
           f"{w['body']} {w['raw']}\r\n").encode()
    mail = ingest(_in("email", "support", "email", w["email"], f"{w['body']} call me on {w['phone']}",
                      subject=w["subject"], body_html=f"<p>{w['body']} {w['html']}</p>",
                      participants=(Sender(kind="email", address=w["cc"], name="Copied"),),
                      attachments=(IncomingFile(f"{w['file_name']}.txt", w["file_content"].encode(), "text/plain"),)),
                  raw=raw)
    target = db.session.get(Ticket, mail.ticket_id).customer
    customers.add_identity(target, "telegram", w["telegram"])
    customers.add_identity(target, "webchat", w["visitor"])
    customers.add_identity(target, "phone", w["phone"])
    customers.update_customer(target, notes=w["notes"])
    target.unverified_email = w["unverified"]
    db.session.commit()
    tele = ingest(_in("telegram", "bot", "telegram", w["telegram"], w["telegram_text"], thread_key=w["telegram"]))
    chat = ingest(_in("webchat", "widget", "webchat", w["visitor"], w["chat_text"], thread_key="qzsession"))
    staff = make_user(name="Agent Smith")
    ticket = db.session.get(Ticket, mail.ticket_id)
    replies.add_reply(ticket, staff, body=f"Dear {w['first_name']}, about {w['subject']}")
    replies.add_reply(ticket, staff, body=f"internal {w['note']}", internal=True)
    db.session.add_all([
        Draft(ticket_id=ticket.id, user_id=staff.id, body=f"draft {w['draft']}", internal=False, updated_at=utcnow()),
        Notification(user_id=staff.id, ticket_id=ticket.id, kind="reply",
                     text=f"{w['first_name']} {w['last_name']} replied on {w['subject']}"),
        TicketEvent(ticket_id=tele.ticket_id, kind="message_edited", data={"before": w["edited"], "message_id": 1,
                                                                       "original_external_id": f"{w['telegram']}:5"}),
        Survey(kind="csat", ticket_id=ticket.id, customer_id=target.id, channel="email", priority=1,
               solved_at=utcnow(), state="answered", scheduled_for=utcnow(), score=2, comment=w["comment"]),
        IdempotencyKey(user_id=staff.id, key="k1", fingerprint="f", status_code=201, content_type="application/json",
                       body=f'{{"customer": "{w["first_name"]}"}}'.encode(), created_at=utcnow()),
    ])
    pbx = ChannelAccount(kind="cti", name="pbx", settings={})
    db.session.add(pbx)
    db.session.flush()
    call = Call(account_id=pbx.id, external_id="call-1", from_number=w["phone"], to_number="+34910000000",
                customer_id=target.id, ticket_id=ticket.id)
    db.session.add(call)
    db.session.flush()
    db.session.add_all([
        CallEvent(call_id=call.id, kind="ringing", data={"from": w["phone"], "caller_name": w["last_name"]}),
        PortalSession(customer_id=target.id, key_hash="a" * 64),
        WidgetConfirmation(account_id=pbx.id, visitor_id=w["visitor"], address_hash="b" * 64),
        TopicModel(words=[w["body"], "help"], idf=b"", components=b"", row_topics=[]),
        Topic(label=f"{w['subject']}, help", terms={w["subject"]: 0.5, "help": 0.5}),
    ])
    loyalty = CustomField(entity="customer", key="loyalty", label="Loyalty code", kind="text")
    order = CustomField(entity="ticket", key="order", label="Order", kind="text")
    hook = Webhook(name="crm", url="https://crm.example/hook", events=["ticket.created"], secret_sealed="x")
    db.session.add_all([loyalty, order, hook])
    db.session.flush()
    db.session.add_all([
        CustomValue(field_id=loyalty.id, object_id=target.id, value=w["customer_field"]),
        CustomValue(field_id=order.id, object_id=ticket.id, value=w["ticket_field"]),
        WebhookDelivery(webhook_id=hook.id, event="ticket.created", state="delivered",
                        body=f'{{"event":"ticket.created","ticket":{{"id":{ticket.id},"subject":"{w["subject"]}"}}}}'),
    ])
    audit.record(audit.CLI, "customer.note", "user", staff.id, said=f"called {w['first_name']} {w['last_name']}")
    consent.set_consent(target, "marketing", True, "form", commit=False)
    db.session.commit()

    other = ingest(InboundMessage(channel="email", source="support", external_id=uuid.uuid4().hex,
                                  sender=Sender(kind="email", address=BYSTANDER["email"], name=BYSTANDER["name"]),
                                  body_text=BYSTANDER["body"], subject=BYSTANDER["subject"],
                                  attachments=(IncomingFile("b.txt", BYSTANDER["file_content"].encode(), "text/plain"),)),
                   raw=f"Subject: {BYSTANDER['subject']}\r\n\r\n{BYSTANDER['body']}\r\n".encode())
    bystander_ticket = db.session.get(Ticket, other.ticket_id)
    from helpdesk.services.search import indexing

    indexing.drain()
    ids = list(db.session.scalars(select(Ticket.id).where(Ticket.customer_id == target.id).order_by(Ticket.id)))
    assert {mail.ticket_id, tele.ticket_id, chat.ticket_id} <= set(ids)
    return People(target, bystander_ticket.customer, ids, bystander_ticket.id)
