"""Surveys switched on, and tickets solved through the real services."""

from __future__ import annotations

from datetime import timedelta

import pytest

from helpdesk.extensions import db
from helpdesk.models import Survey, Ticket
from helpdesk.services import tickets
from helpdesk.services.surveys import settings as survey_settings
from tests.telegram.conftest import bot, bot_api  # noqa: F401 - the local Bot API server and a bot on it
from tests.whatsapp.conftest import account, graph, post_webhook  # noqa: F401 - the local Graph API, signed webhooks

PUBLIC_URL = "http://localhost"


@pytest.fixture
def enable(app):
    """enable(kind="csat", **settings): switch a survey kind on (every channel, no delay unless given)."""

    def do(kind: str = "csat", **values):
        base = {"enabled": True, "delay_minutes": 0, "channels": list(survey_settings.SURVEY_CHANNELS),
                "min_days_between": 7, "expiry_days": 14, "follow_up_action": "none",
                "follow_up_max_score": survey_settings.low_score(kind)}
        return survey_settings.update_settings(kind, base | values)

    return do


@pytest.fixture
def agent(make_user, groups):
    return make_user(name="Solver")


@pytest.fixture
def solved(inbound, agent):
    """solved(email=..., **inbound fields) -> Ticket: a customer writes, `agent` solves it."""

    def do(email: str = "customer@example.com", **fields) -> Ticket:
        result = inbound(email=email, **fields)
        ticket = db.session.get(Ticket, result.ticket_id)
        tickets.update_ticket(ticket, agent, status="solved")
        return ticket

    return do


def surveys_of(ticket_id: int) -> list[Survey]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Survey).where(Survey.ticket_id == ticket_id).order_by(Survey.id)))


def later(ticket: Ticket, minutes: int = 1):
    """A moment `minutes` after the ticket's solve."""
    return ticket.solved_at + timedelta(minutes=minutes)
