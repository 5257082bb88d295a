"""The ingestion service: one path from any channel to a ticket."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from channels.base import Attachment, InboundMessage, Sender
from helpdesk.extensions import db
from helpdesk.models import Customer, Identity, Message, PriorityRule, Ticket, TicketEvent
from helpdesk.models.tickets import PRIORITIES
from helpdesk.services import events, staff
from helpdesk.services.ingest import ingest


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_first_message_creates_customer_identity_and_ticket(inbound):
    result = inbound(email="Ana@Example.com", name="Ana Pérez", subject="Printer on fire", body="Help!")
    ticket = db.session.get(Ticket, result.ticket_id)
    assert result.created_ticket and not result.duplicate
    assert ticket.subject == "Printer on fire"
    assert ticket.status == "new" and ticket.priority_name == "normal" and ticket.channel == "web"
    assert ticket.customer.name == "Ana Pérez"
    assert [(i.kind, i.address) for i in ticket.customer.identities] == [("email", "ana@example.com")]
    assert ticket.last_customer_message_at is not None
    assert db.session.scalar(select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id)) == "created"


def test_redelivery_of_the_same_message_is_stored_once(inbound):
    first = inbound(external_id="m-1", body="once")
    second = inbound(external_id="m-1", body="once")
    assert second.duplicate and second.message_id == first.message_id and second.ticket_id == first.ticket_id
    assert count(Message) == 1 and count(Ticket) == 1


def test_same_external_id_on_another_source_is_a_different_message(inbound):
    inbound(external_id="m-1", source="mailbox-a")
    inbound(external_id="m-1", source="mailbox-b")
    assert count(Message) == 2


def test_one_customer_across_channels(inbound):
    a = inbound(email="ana@example.com")
    customer = db.session.get(Ticket, a.ticket_id).customer
    db.session.add(Identity(customer_id=customer.id, kind="telegram", address="4242"))
    db.session.commit()
    b = inbound(kind="telegram", email="4242", channel="telegram", source="bot", thread_key="chat-4242")
    assert db.session.get(Ticket, b.ticket_id).customer_id == customer.id
    assert count(Customer) == 1


def test_thread_key_continues_the_open_conversation(inbound):
    a = inbound(kind="telegram", email="77", channel="telegram", source="bot", thread_key="chat-77", body="hi")
    b = inbound(kind="telegram", email="77", channel="telegram", source="bot", thread_key="chat-77", body="still there?")
    assert b.ticket_id == a.ticket_id and not b.created_ticket


def test_reply_reference_threads_and_reopens_a_solved_ticket(inbound):
    a = inbound(external_id="<orig@x>")
    ticket = db.session.get(Ticket, a.ticket_id)
    ticket.status = "solved"
    db.session.commit()
    b = inbound(external_id="<reply@x>", thread_refs=("<unknown@y>", "<orig@x>"))
    assert b.ticket_id == a.ticket_id
    assert db.session.get(Ticket, a.ticket_id).status == "open"


def test_closed_ticket_is_never_reopened(inbound):
    a = inbound(external_id="<orig@x>")
    db.session.get(Ticket, a.ticket_id).status = "closed"
    db.session.commit()
    b = inbound(external_id="<reply@x>", thread_refs=("<orig@x>",))
    assert b.created_ticket and b.ticket_id != a.ticket_id


def test_ticket_hint_only_for_participants(inbound):
    a = inbound(email="owner@example.com")
    stranger = inbound(email="stranger@example.com", ticket_hint=a.ticket_id)
    assert stranger.created_ticket and stranger.ticket_id != a.ticket_id
    owner = inbound(email="owner@example.com", ticket_hint=a.ticket_id)
    assert owner.ticket_id == a.ticket_id


def test_vip_customers_start_at_high_priority(inbound):
    a = inbound(email="vip@example.com")
    db.session.get(Ticket, a.ticket_id).customer.tier = "vip"
    db.session.commit()
    b = inbound(email="vip@example.com")
    assert db.session.get(Ticket, b.ticket_id).priority_name == "high"


def test_rules_apply_in_order_and_set_priority_and_group(inbound, app):
    support = staff.get_or_create_group("Support")
    billing = staff.get_or_create_group("Billing")
    db.session.add_all([
        PriorityRule(position=2, name="later", conditions={"keywords": ["refund"]}, set_priority=PRIORITIES["low"]),
        PriorityRule(position=1, name="refunds", conditions={"keywords": ["refund"], "channel": ["web"]},
                     set_priority=PRIORITIES["urgent"], set_group_id=billing.id),
    ])
    db.session.commit()
    refund = db.session.get(Ticket, inbound(body="I want a REFUND now").ticket_id)
    other = db.session.get(Ticket, inbound(body="hello").ticket_id)
    assert (refund.priority_name, refund.group_id) == ("urgent", billing.id)
    assert (other.priority_name, other.group_id) == ("normal", support.id)


def test_html_is_sanitised_and_attachments_stored(inbound, app):
    result = inbound(body="see attached", body_html='<p onclick="x()">hi<script>alert(1)</script></p>',
                     attachments=(Attachment(filename="../../etc/passwd", content=b"%PDF-1.4 fake", content_type="text/html"),))
    message = db.session.get(Message, result.message_id)
    assert "script" not in message.body_html and "onclick" not in message.body_html and "hi" in message.body_html
    (att,) = message.attachments
    assert att.filename == "_etc_passwd" or "/" not in att.filename
    assert att.content_type == "application/pdf" and att.size == len(b"%PDF-1.4 fake")


def test_events_are_published_after_commit(inbound):
    seen = []

    def listener(sender, payload):
        # The ticket must already be readable from a fresh session when the event arrives.
        seen.append((sender, db.session.get(Ticket, payload["ticket_id"]) is not None))

    events.ticket_created.connect(listener)
    events.message_created.connect(listener)
    try:
        inbound()
    finally:
        events.ticket_created.disconnect(listener)
        events.message_created.disconnect(listener)
    assert seen == [("ticket.created", True), ("message.created", True)]


def test_a_failure_mid_ingest_stores_nothing(inbound, app, monkeypatch):
    from helpdesk.services import ingest as ingest_module

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest_module.attachments, "store_row", boom)
    message = InboundMessage(channel="web", source="web", external_id="x1", sender=Sender("email", "a@b.example"),
                             body_text="hi", attachments=(Attachment("a.txt", b"x"),))
    with pytest.raises(RuntimeError, match="disk full"):
        ingest(message)
    assert count(Ticket) == 0 and count(Message) == 0 and count(Customer) == 0
    monkeypatch.undo()
    assert ingest(message).created_ticket


def test_concurrent_deliveries_of_many_messages_lose_and_duplicate_nothing(app, inbound):
    """Eight threads deliver the same 40 messages (each twice): 40 stored, no errors."""
    from concurrent.futures import ThreadPoolExecutor

    def deliver(n: int):
        with app.app_context():
            try:
                return inbound(email=f"c{n % 5}@example.com", external_id=f"msg-{n % 40}", body=f"body {n % 40}")
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(deliver, range(80)))
    assert sum(not r.duplicate for r in results) == 40
    assert count(Message) == 40 and count(Customer) == 5


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # SQLite writers never overlap
def test_a_concurrent_first_message_of_the_same_new_customer_is_retried_onto_one_customer(inbound, app, monkeypatch):
    """Another delivery creates the customer's identity between our lookup and our flush: our
    flush fails on the unique identity, and ingestion starts over onto the winner's record."""
    from helpdesk.services import senders

    original = senders.lookup
    raced = []

    def look_up_then_lose_the_race(source, external_id, sender):
        found = original(source, external_id, sender)
        if found.known is None and not raced:
            raced.append(found.address)
            with app.app_context():  # a second session: the other delivery, committed first
                inbound(email="race@example.com", external_id="other-delivery")
                db.session.remove()
        return found

    monkeypatch.setattr(senders, "lookup", look_up_then_lose_the_race)
    result = inbound(email="race@example.com", external_id="ours")
    assert raced == ["race@example.com"] and not result.duplicate
    assert count(Customer) == 1 and count(Message) == 2 and count(Identity) == 1


def test_ingest_many_stores_a_batch_in_one_transaction_and_a_repeat_once(app):
    from helpdesk.services.ingest import ingest_many

    def message(n: int, external_id: str | None = None) -> InboundMessage:
        return InboundMessage(channel="email", source="box", external_id=external_id or f"b-{n}",
                              sender=Sender("email", f"batch{n % 2}@example.com"), body_text=f"text {n}",
                              thread_key=f"thread-{n % 2}")

    seen = []
    listener = lambda sender, payload: seen.append((sender, count(Message)))  # noqa: E731
    events.message_created.connect(listener)
    try:
        results = ingest_many([(message(0), True, None), (message(1), True, None), (message(2), True, None),
                               (message(0), True, None)])
    finally:
        events.message_created.disconnect(listener)
    assert [r.created_ticket for r in results] == [True, True, False, False]
    assert results[2].ticket_id == results[0].ticket_id  # threads with a message earlier in the same batch
    assert results[3].duplicate and results[3].message_id == results[0].message_id
    assert seen == [("message.created", 3)] * 3  # published after the one commit
    assert count(Message) == 3 and count(Customer) == 2


def test_ingest_many_rolls_back_the_whole_batch_on_a_failure(app, monkeypatch):
    from helpdesk.services import ingest as ingest_module

    ok = InboundMessage(channel="web", source="web", external_id="fine", sender=Sender("email", "a@b.example"),
                        body_text="hi")
    bad = InboundMessage(channel="web", source="web", external_id="bad", sender=Sender("email", "c@b.example"),
                         body_text="hi", attachments=(Attachment("a.txt", b"x"),))
    monkeypatch.setattr(ingest_module.attachments, "store_row", lambda item: (_ for _ in ()).throw(RuntimeError("disk")))
    try:
        ingest_module.ingest_many([(ok, True, None), (bad, True, None)])
        raise AssertionError("the batch should have failed")
    except RuntimeError:
        pass
    assert count(Ticket) == 0 and count(Message) == 0 and count(Customer) == 0
