"""Live conversations offered one agent at a time: accept, decline, expiry, going offline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import AgentAvailability, RoutingOffer, Ticket
from helpdesk.models.base import clock_at, utcnow
from helpdesk.services.routing import availability, offers
from tests.services.routing.test_assign import _assignee, _routing_lines


def _offers(ticket_id: int) -> list[tuple[int, str]]:
    db.session.rollback()
    return [(o.user_id, o.state) for o in db.session.scalars(
        select(RoutingOffer).where(RoutingOffer.ticket_id == ticket_id).order_by(RoutingOffer.id))]


def _offer_id(ticket_id: int) -> int | None:
    """The ticket's latest offer, as committed by the routing job."""
    db.session.rollback()
    return db.session.scalar(select(RoutingOffer.id).where(RoutingOffer.ticket_id == ticket_id)
                             .order_by(RoutingOffer.id.desc()).limit(1))


def _shift_work(user_id: int) -> float:
    db.session.rollback()
    return db.session.get(AgentAvailability, user_id).shift_work


def test_a_chat_is_offered_to_one_agent_and_accepting_assigns_it(routed, agent, ticket):
    routed("round_robin", chat=1)
    ana, ben = agent("Ana"), agent("Ben")
    chat = ticket("chat")
    assert _offers(chat.id) == [(ana.id, "pending")] and _assignee(chat) is None
    # The pending offer holds Ana's only chat seat: the next chat goes to Ben.
    other = ticket("chat")
    assert _offers(other.id) == [(ben.id, "pending")]
    offer_id = _offer_id(chat.id)
    assert offers.pending_for(ana.id)[0]["ticket_id"] == chat.id
    assert _shift_work(ana.id) == 0  # an offer is not work taken until it is accepted
    offers.answer(offer_id, ana, accept=True)
    assert _assignee(chat) == ana.id and _offers(chat.id) == [(ana.id, "accepted")]
    assert _routing_lines(chat.id)[-1] == "Ana accepted the offered chat"
    assert _shift_work(ana.id) == pytest.approx(10) and _shift_work(ben.id) == 0  # a chat's 10 minutes, one seat
    with pytest.raises(offers.OfferClosed):
        offers.answer(offer_id, ana, accept=True)


def test_declining_offers_the_chat_to_the_next_agent(routed, agent, ticket):
    routed("least_loaded")
    ana, ben = agent("Ana"), agent("Ben")
    chat = ticket("messaging")
    first = _offers(chat.id)[0][0]
    other = ben if first == ana.id else ana
    offer_id = _offer_id(chat.id)
    with pytest.raises(offers.OfferClosed):
        offers.answer(offer_id, other, accept=True)  # not theirs
    offers.answer(offer_id, db.session.get(type(ana), first), accept=False)
    assert _offers(chat.id) == [(first, "declined"), (other.id, "pending")]
    assert _shift_work(first) == 0
    assert "declined the offered messaging" in _routing_lines(chat.id)[1]


def test_an_unanswered_offer_expires_and_moves_on(routed, agent, ticket):
    routed("round_robin", timeout=30)
    ana, ben = agent("Ana"), agent("Ben")
    chat = ticket("chat")
    offer_id = _offer_id(chat.id)
    assert offers.expire(offer_id) is False  # not yet
    with clock_at(utcnow() + timedelta(seconds=31)):
        assert offers.expire_overdue() == 1
    assert _offers(chat.id) == [(ana.id, "expired"), (ben.id, "pending")]
    assert _routing_lines(chat.id)[1] == "the offer to Ana expired unanswered; offering it to the next agent"
    with clock_at(utcnow() + timedelta(seconds=62)):  # Ben's offer was made 31 s from now
        assert offers.expire_overdue() == 1
    # Nobody left who has not let it go: it waits, and says so.
    assert _offers(chat.id)[-1] == (ben.id, "expired")
    assert _routing_lines(chat.id)[-1].startswith("waits in the queue")


def test_going_offline_hands_back_chats_and_withdraws_offers(routed, agent, ticket):
    routed("round_robin", chat=1)
    ana = agent("Ana")
    chat = ticket("chat")
    offers.answer(_offer_id(chat.id), ana, True)
    email = ticket("email")
    assert _assignee(email) == ana.id
    pending = ticket("chat")  # Ana is at chat capacity: it waits
    assert _offers(pending.id) == []
    ben = agent("Ben", status="offline")
    availability.set_status(ben, "online")
    assert _offers(pending.id) == [(ben.id, "pending")]
    availability.set_status(db.session.get(type(ben), ben.id), "offline", "signed out")
    assert _offers(pending.id)[0] == (ben.id, "withdrawn")
    availability.set_status(db.session.get(type(ana), ana.id), "offline", "console closed")
    assert _assignee(chat) is None and _assignee(email) == ana.id  # e-mail stays with her
    assert "handed back to the queue: Ana went offline" in _routing_lines(chat.id)
    assert availability.status_of(ana.id).reason == "console closed"


def test_the_console_brings_back_online_only_who_did_not_choose_offline(agent):
    ana = agent("Ana")
    availability.set_status(ana, "offline", "console closed")
    assert availability.came_online(ana) and availability.status_of(ana.id).status == "online"
    availability.set_status(ana, "offline")  # her own choice
    assert not availability.came_online(ana) and availability.status_of(ana.id).status == "offline"
    with pytest.raises(availability.AvailabilityError):
        availability.set_status(ana, "busy")


def test_the_board_shows_status_load_and_capacity(routed, agent, ticket):
    routed("least_loaded", ticket=7)
    ana = agent("Ana")
    ticket()
    row = next(r for r in availability.board() if r.user_id == ana.id)
    assert (row.status, row.load.get("ticket"), row.capacity["ticket"]) == ("online", 1, 7)
    assert db.session.get(Ticket, 1).assignee_id == ana.id


def test_a_chat_taken_by_hand_withdraws_its_offer(routed, agent, ticket):
    from helpdesk.services import tickets

    routed("round_robin")
    ana, ben = agent("Ana"), agent("Ben")
    chat = ticket("chat")
    offered_to = _offers(chat.id)[0][0]
    taker = ben if offered_to == ana.id else ana
    offer_id = _offer_id(chat.id)
    tickets.update_ticket(db.session.get(Ticket, chat.id), taker, assignee_id=taker.id)
    assert _offers(chat.id) == [(offered_to, "withdrawn")]
    with pytest.raises(offers.OfferClosed):
        offers.answer(offer_id, db.session.get(type(ana), offered_to), accept=True)
    assert _assignee(chat) == taker.id
