"""Keeping the ticket search index current: whatever changes a ticket's searchable text (a new
message, its subject, its tags, its customer's name or addresses) is found by the next search and
the old text no longer is, without a rebuild."""

from __future__ import annotations

from sqlalchemy import text

from helpdesk.extensions import db
from helpdesk.models import Customer, Ticket
from helpdesk.services import customers, tickets
from helpdesk.services.search import indexing
from helpdesk.services.search.tickets import search


def ids(user, q):
    return [h.ticket.id for h in search(user, q).hits]


def queued() -> set[int]:
    return set(db.session.scalars(text("SELECT ticket_id FROM ticket_fts_queue")))


def test_an_ingested_message_is_found_right_after_its_commit(groups, inbound, make_user):
    agent = make_user()
    first = inbound(email="ana@example.com", subject="Parcel lost", body="The courier says quokkadelivered")
    assert ids(agent, "quokkadelivered") == [first.ticket_id]
    reply = inbound(
        email="ana@example.com",
        subject="Re: Parcel lost",
        body="Now it says wombatreturned",
        thread_key=None,
        ticket_hint=first.ticket_id,
    )
    assert reply.ticket_id == first.ticket_id and not reply.created_ticket
    assert ids(agent, "wombatreturned") == [first.ticket_id]
    assert ids(agent, "quokkadelivered wombatreturned") == [first.ticket_id]


def test_a_change_is_queued_in_its_own_transaction_and_drained_once(groups, inbound, make_user):
    ticket_id = inbound(subject="Printer jammed").ticket_id
    db.session.execute(text("DELETE FROM ticket_fts_queue"))
    db.session.execute(text("UPDATE tickets SET subject = 'Scanner jammed' WHERE id = :id"), {"id": ticket_id})
    db.session.commit()
    assert queued() == {ticket_id}
    assert indexing.drain() == 1
    assert queued() == set()
    assert ids(make_user(), "scanner") == [ticket_id]


def test_an_edited_subject_replaces_the_old_one(groups, inbound, make_user):
    agent = make_user()
    ticket_id = inbound(subject="Invoice lost").ticket_id
    tickets.update_ticket(db.session.get(Ticket, ticket_id), agent, subject="Receipt missing")
    assert ids(agent, "receipt") == [ticket_id]
    assert ids(agent, "invoice") == []


def test_added_and_removed_tags_are_searched(groups, inbound, make_user):
    agent = make_user()
    ticket_id = inbound(subject="Slow site").ticket_id
    tickets.update_ticket(db.session.get(Ticket, ticket_id), agent, tags=["latencyissue"])
    assert ids(agent, "latencyissue") == [ticket_id]
    tickets.update_ticket(db.session.get(Ticket, ticket_id), agent, tags=[])
    assert ids(agent, "latencyissue") == []


def test_a_renamed_customer_is_found_by_the_new_name_only(groups, inbound, make_user):
    agent = make_user()
    one = inbound(email="li@example.com", name="Li Oldname", subject="Question").ticket_id
    two = inbound(email="li@example.com", subject="Another question").ticket_id
    other = inbound(email="bo@example.com", name="Bo Oldname", subject="Hello").ticket_id
    assert sorted(ids(agent, "oldname")) == sorted([one, two, other])
    customer = db.session.get(Ticket, one).customer
    customers.update_customer(customer, name="Li Newname")
    assert queued() >= {one, two} and other not in queued()
    assert sorted(ids(agent, "newname")) == sorted([one, two])
    assert ids(agent, "oldname") == [other]


def test_an_added_or_removed_address_is_searched(groups, inbound, make_user):
    agent = make_user()
    ticket_id = inbound(email="kai@example.com", subject="Billing").ticket_id
    customer = db.session.get(Customer, db.session.get(Ticket, ticket_id).customer_id)
    phone = customers.add_identity(customer, "phone", "+44 7700 900123")
    db.session.commit()
    assert ids(agent, "447700900123") == [ticket_id]
    db.session.delete(phone)
    db.session.commit()
    assert ids(agent, "447700900123") == []


def reply_to(inbound, ticket_id: int, body: str):
    return inbound(
        email="ana@example.com", subject="Re: Parcel lost", body=body, thread_key=None, ticket_hint=ticket_id
    )


def terms() -> set[str]:
    return set(db.session.scalars(text("SELECT term FROM ticket_search_terms")))


def test_a_reply_adds_its_words_to_the_vocabulary_and_a_typo_is_corrected_to_them(groups, inbound, make_user):
    agent = make_user()
    first = inbound(email="ana@example.com", subject="Parcel lost", body="The courier says quokkadelivered")
    search(agent, "quokkadelivered")
    assert {"quokkadelivered", "courier"} <= terms()
    reply_to(inbound, first.ticket_id, "Now it says wombatreturned")
    page = search(agent, "wombatretrned")
    assert page.corrected == "wombatreturned" and [h.ticket.id for h in page.hits] == [first.ticket_id]


def test_a_ticket_queued_without_a_change_keeps_its_row_and_words(groups, inbound, make_user):
    agent = make_user()
    ticket_id = inbound(subject="Printer jammed", body="The toner leaks").ticket_id
    search(agent, "toner")
    before = db.session.execute(
        text("SELECT subject, people, body, grams FROM ticket_search_docs WHERE id = :id"), {"id": ticket_id}
    ).one()
    db.session.execute(text("INSERT INTO ticket_fts_queue (ticket_id) VALUES (:id)"), {"id": ticket_id})
    db.session.commit()
    assert indexing.drain() == 1
    after = db.session.execute(
        text("SELECT subject, people, body, grams FROM ticket_search_docs WHERE id = :id"), {"id": ticket_id}
    ).one()
    assert after == before and ids(agent, "toner") == [ticket_id] and "toner" in terms()


def test_after_a_rebuild_the_vocabulary_is_refilled_and_replies_still_add_words(groups, inbound, make_user):
    agent = make_user()
    first = inbound(email="ana@example.com", subject="Parcel lost", body="The courier says quokkadelivered")
    search(agent, "courier")
    assert indexing.rebuild() >= 1
    assert {"quokkadelivered", "courier", "parcel"} <= terms()
    assert search(agent, "quokkadelivred").corrected == "quokkadelivered"
    reply_to(inbound, first.ticket_id, "Now it says wombatreturned")
    assert search(agent, "wombatretrned").corrected == "wombatreturned"
