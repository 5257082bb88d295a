"""Tickets an agent opens from the console: through ingestion, for a customer they may see."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Customer, Message
from helpdesk.services import agent_tickets, customers
from helpdesk.services.agent_tickets import NewCustomer
from helpdesk.services.tickets import TicketError


@pytest.fixture
def agent(groups, make_user):
    return make_user(role="agent", groups=("Support",), name="Ana Agent")


@pytest.fixture
def caller(agent, inbound) -> Customer:
    """A customer of the Support group with an e-mail address and a phone number."""
    ticket = inbound(email="maria@customer.example", name="María López")
    customer = db.session.get(Customer, customers.find_identity("email", "maria@customer.example").customer_id)
    customers.add_identity(customer, "phone", "+34 600 111 222")
    db.session.commit()
    assert ticket.ticket_id
    return customer


def messages(ticket) -> list[tuple[str, bool, str]]:
    rows = db.session.scalars(select(Message).where(Message.ticket_id == ticket.id).order_by(Message.id))
    return [(m.kind, m.is_automated, m.body_text) for m in rows]


def test_a_phone_call_opens_a_ticket_with_the_customers_words(agent, caller):
    found = agent_tickets.customers_for(agent, "600-111-222")
    assert [c.id for c in found] == [caller.id]  # the phone number however it was typed
    ticket = agent_tickets.open_ticket(agent, channel="phone", subject="Card declined", body="My card is declined",
                                       customer_id=caller.id)
    assert (ticket.channel, ticket.customer_id, ticket.group.name) == ("phone", caller.id, "Support")
    assert messages(ticket) == [("inbound", False, "My card is declined")]


def test_a_walk_in_noted_by_the_agent_puts_no_words_in_the_customers_mouth(agent, caller):
    ticket = agent_tickets.open_ticket(agent, channel="in_person", subject="Broken screen", first_text="note",
                                       body="Customer brought the laptop in; screen cracked.", customer_id=caller.id)
    assert messages(ticket) == [
        ("inbound", True, "Ticket opened by Ana Agent (in person); see the internal note."),
        ("note", False, "Customer brought the laptop in; screen cracked."),
    ]


def test_an_e_mail_ticket_mails_the_customer_its_number(agent, caller, smtp_server):
    ticket = agent_tickets.open_ticket(agent, channel="email", subject="Your refund", body="Asked about a refund",
                                       customer_id=caller.id)
    kinds = [kind for kind, _, _ in messages(ticket)]
    assert kinds == ["inbound", "outbound"]
    assert [m.rcpt_tos for m in smtp_server.messages] == [["maria@customer.example"]]
    assert f"ticket #{ticket.number}".encode() in smtp_server.messages[0].content


def test_a_new_customer_is_created_on_the_spot(agent):
    ticket = agent_tickets.open_ticket(agent, channel="phone", subject="Hello", body="First call",
                                       new_customer=NewCustomer(name="Tom Tel", phone="+1 (555) 010-0199"))
    assert ticket.customer.name == "Tom Tel"
    assert [(i.kind, i.address) for i in ticket.customer.identities] == [("phone", "+15550100199")]
    assert [c.id for c in agent_tickets.customers_for(agent, "Tom")] == [ticket.customer_id]


def test_an_agent_cannot_open_a_ticket_for_a_customer_of_another_group(groups, make_user, agent, inbound):
    inbound(email="bill@customer.example", group_hint="Billing")
    billing_customer = customers.find_identity("email", "bill@customer.example").customer_id
    assert agent_tickets.customers_for(agent, "bill@") == []
    with pytest.raises(TicketError) as refused:
        agent_tickets.open_ticket(agent, channel="phone", subject="x", body="y", customer_id=billing_customer)
    assert refused.value.field == "customer_id"


@pytest.mark.parametrize("changes, field", [
    ({"channel": "fax"}, "channel"), ({"subject": " "}, "subject"), ({"body": ""}, "body"),
    ({"first_text": "robot"}, "first_text"), ({"customer_id": None}, "customer_id"),
    ({"channel": "email", "customer_id": None, "new_customer": NewCustomer(name="P", phone="+4912345")}, "channel"),
    ({"group_id": 99999}, "group_id"),
])
def test_bad_input_names_the_field_and_opens_nothing(agent, caller, changes, field):
    before = (db.session.query(Message).count(), db.session.query(Customer).count())
    arguments = {"channel": "phone", "subject": "Subject", "body": "Body", "customer_id": caller.id} | changes
    with pytest.raises(TicketError) as refused:
        agent_tickets.open_ticket(agent, **arguments)
    assert refused.value.field == field
    db.session.rollback()
    assert (db.session.query(Message).count(), db.session.query(Customer).count()) == before


def test_a_resubmitted_form_opens_one_ticket(agent, caller):
    first = agent_tickets.open_ticket(agent, channel="phone", subject="Once", body="Only once", customer_id=caller.id,
                                      request_id="form-1")
    again = agent_tickets.open_ticket(agent, channel="phone", subject="Once", body="Only once", customer_id=caller.id,
                                      request_id="form-1")
    assert again.id == first.id
