"""Fixtures for the REST API tests: an authenticated client per staff member, row counts."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import AuditEntry, Customer, Identity, Message, Ticket, TicketEvent, TicketTag
from tests.api.helpers import ApiClient


@pytest.fixture
def api_as(client, token_for):
    """api_as(user) -> ApiClient acting as `user`."""
    return lambda user: ApiClient(client, token_for(user))




@pytest.fixture
def agent(groups, make_user):
    """An agent of the Support group."""
    return make_user(role="agent", groups=("Support",), name="Ana Agent")


@pytest.fixture
def api(api_as, agent) -> ApiClient:
    """The API as the Support agent."""
    return api_as(agent)


@pytest.fixture
def row_counts(app):
    """row_counts() -> {table: rows} of everything a request could write."""

    def count() -> dict[str, int]:
        db.session.rollback()
        models = (Ticket, Message, TicketEvent, TicketTag, Customer, Identity, AuditEntry)
        return {m.__tablename__: db.session.scalar(select(func.count()).select_from(m)) for m in models}

    return count


@pytest.fixture
def deferred_jobs(app_config):
    """Jobs are queued instead of run on the spot, so a reply can be seen `queued` first."""
    app_config["HELPDESK_JOBS_IMMEDIATE"] = False
    yield
    from helpdesk.jobs.queue import huey

    huey.flush()
