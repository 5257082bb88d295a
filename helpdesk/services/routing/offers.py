"""Answers to offered conversations: accepted (the agent is assigned), declined or expired (offered
to the next agent), withdrawn (the agent went offline)."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import RoutingOffer, Ticket, User
from helpdesk.models.base import utcnow
from helpdesk.services import events, tickets
from helpdesk.services.routing import assign
from helpdesk.services.transactions import begin_write


class OfferClosed(Exception):
    """The offer was already answered, expired or withdrawn, or is someone else's."""


def _locked(offer_id: int) -> RoutingOffer | None:
    statement = select(RoutingOffer).where(RoutingOffer.id == offer_id).execution_options(populate_existing=True)
    if db.engine.dialect.name == "postgresql":
        statement = statement.with_for_update()
    return db.session.scalars(statement).first()


def pending_for(user_id: int) -> list[dict]:
    """The offers waiting for `user_id`'s answer (for the console at page load)."""
    rows = db.session.scalars(select(RoutingOffer).where(RoutingOffer.user_id == user_id,
                                                         RoutingOffer.state == "pending",
                                                         RoutingOffer.expires_at > utcnow()))
    return [assign.offer_payload(row) for row in rows]


def answer(offer_id: int, user: User, accept: bool) -> RoutingOffer:
    """The agent's answer to their pending offer: accepted assigns them the ticket; declined offers
    it to the next agent. OfferClosed when it is not theirs or no longer pending."""
    begin_write()
    offer = _locked(offer_id)
    if offer is None or offer.user_id != user.id or offer.state != "pending" or offer.expires_at <= utcnow():
        db.session.rollback()
        raise OfferClosed(f"offer {offer_id} is no longer open")
    offer.state, offer.answered_at = ("accepted" if accept else "declined"), utcnow()
    ticket = db.session.get(Ticket, offer.ticket_id)
    if accept and ticket.assignee_id not in (None, user.id):
        offer.state = "withdrawn"  # a colleague took it from the queue meanwhile
        payload = assign.offer_payload(offer, ticket)
        db.session.commit()
        events.publish("routing.offer", payload)
        raise OfferClosed(f"ticket {ticket.id} was taken by a colleague")
    payload = assign.offer_payload(offer, ticket)
    if accept:
        assign.note(ticket.id, "accepted", user_id=user.id, name=user.name, kind=offer.kind)
        assign.credit_accepted(user.id, ticket, offer.kind)
        if ticket.assignee_id is None:
            tickets.update_ticket(ticket, user, assignee_id=user.id)  # commits
        else:
            db.session.commit()
    else:
        assign.note(ticket.id, "declined", user_id=user.id, name=user.name, kind=offer.kind)
        db.session.commit()
    events.publish("routing.offer", payload)
    if not accept:
        assign.route_ticket(payload["ticket_id"], note_waiting=True)
    return offer


def expire(offer_id: int) -> bool:
    """Close offer `offer_id` if its time is up and nobody answered; offer the ticket to the next
    agent. Whether it expired now."""
    begin_write()
    offer = _locked(offer_id)
    if offer is None or offer.state != "pending" or offer.expires_at > utcnow():
        db.session.rollback()
        return False
    _close(offer, "expired")
    return True


def expire_overdue() -> int:
    """Expire every pending offer past its time (the safety net for a lost timer job)."""
    ids = list(db.session.scalars(select(RoutingOffer.id).where(RoutingOffer.state == "pending",
                                                                RoutingOffer.expires_at <= utcnow())))
    db.session.rollback()
    return sum(expire(offer_id) for offer_id in ids)


def _each_pending(condition, act) -> int:
    """Lock each pending offer matching `condition` in a transaction of its own and `act` on it
    (which commits); how many were acted on."""
    ids = list(db.session.scalars(select(RoutingOffer.id).where(condition, RoutingOffer.state == "pending")))
    db.session.rollback()
    done = 0
    for offer_id in ids:
        begin_write()
        offer = _locked(offer_id)
        if offer is None or offer.state != "pending":
            db.session.rollback()
            continue
        act(offer)
        done += 1
    return done


def withdraw_for(user: User) -> int:
    """Withdraw every pending offer of `user` (they went offline) and offer each to the next agent."""
    return _each_pending(RoutingOffer.user_id == user.id,
                         lambda offer: _close(offer, "withdrawn"))


def withdraw_for_ticket(ticket_id: int) -> int:
    """Withdraw the ticket's pending offers (a person assigned it meanwhile); the agents' consoles drop them."""

    def withdraw(offer: RoutingOffer) -> None:
        offer.state, offer.answered_at = "withdrawn", utcnow()
        payload = assign.offer_payload(offer)
        db.session.commit()
        events.publish("routing.offer", payload)

    return _each_pending(RoutingOffer.ticket_id == ticket_id, withdraw)


def _close(offer: RoutingOffer, state: str) -> None:
    offer.state, offer.answered_at = state, utcnow()
    name = db.session.get(User, offer.user_id).name
    assign.note(offer.ticket_id, state, user_id=offer.user_id, name=name, kind=offer.kind)
    payload = assign.offer_payload(offer)
    db.session.commit()
    events.publish("routing.offer", payload)
    assign.route_ticket(offer.ticket_id, note_waiting=True)
