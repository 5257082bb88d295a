"""Routing fixtures: a routed Support group, agents with availability, tickets by channel."""

from __future__ import annotations

import uuid

import pytest

from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.services.routing import availability, settings


@pytest.fixture
def routed(groups):
    """routed(strategy, **capacities) -> the Support group with assignment on."""
    support = groups[0]

    def turn_on(strategy: str = "least_loaded", chat: int = 2, messaging: int = 2, ticket: int = 5, timeout: int = 30):
        settings.save_group(support.id, strategy=strategy, chat_capacity=chat, messaging_capacity=messaging,
                            ticket_capacity=ticket, offer_timeout=timeout)
        return support

    return turn_on


@pytest.fixture
def agent(make_user):
    """agent(name, status="online") -> a Support agent with that availability."""

    def make(name: str, status: str = "online", groups=("Support",)):
        user = make_user(name=name, groups=groups)
        if status != "offline":
            availability.set_status(user, status)
        return user

    return make


@pytest.fixture
def ticket(inbound):
    """ticket(channel="email", language=None) -> a new Support ticket (routed by the job at once)."""

    def make(channel: str = "email", language: str | None = None, tags=(), subject: str = "Help"):
        channel_name = {"email": "email", "chat": "webchat", "messaging": "telegram"}[channel]
        result = inbound(email=f"c-{uuid.uuid4().hex[:8]}@example.com", channel=channel_name, subject=subject,
                         group_hint="Support")
        row = db.session.get(Ticket, result.ticket_id)
        if language or tags:
            row.customer.language = language
            db.session.commit()
        return row

    return make
