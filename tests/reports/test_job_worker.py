"""The report refresh on a real Huey consumer (not immediate mode): changes close together share
one run, and what they credit reaches the report."""

from __future__ import annotations

import time

import pytest

from helpdesk.extensions import db
from helpdesk.models import Ticket
from helpdesk.models.base import utcnow
from helpdesk.services import replies, tickets
from helpdesk.services.reports import tables as reports
from helpdesk.services.reports.tables import ReportFilter


@pytest.fixture
def worker(app_config):
    app_config["HELPDESK_JOBS_IMMEDIATE"] = False
    app_config["HELPDESK_REPORT_DELAY_SECONDS"] = 2
    yield
    from helpdesk.jobs.queue import huey

    huey.flush()


def test_a_reply_and_a_solve_share_one_scheduled_refresh_that_a_worker_runs(worker, app, inbound, make_user):
    from helpdesk.jobs.queue import huey

    agent = make_user("agent", ("Support",), name="Wes")
    ticket = db.session.get(Ticket, inbound(email="w@example.com").ticket_id)
    replies.add_reply(ticket, agent, body="On it")  # message.created and ticket.updated (new -> open)
    tickets.update_ticket(ticket, agent, status="solved")
    refreshes = [t for t in huey.pending() if t.name == "refresh_report_facts"]
    assert [t.args for t in refreshes] == [(ticket.id,)]  # three events, one refresh
    assert refreshes[0].eta is not None  # due in HELPDESK_REPORT_DELAY_SECONDS, so later changes join it
    consumer = huey.create_consumer(workers=1, worker_type="thread", periodic=False, check_worker_health=False)
    consumer.start()
    try:
        deadline, row = time.monotonic() + 20, None
        while time.monotonic() < deadline:
            db.session.rollback()  # see the worker's commit
            today = utcnow().date()
            row = next((r for r in reports.table("agent", ReportFilter(today, today)) if r["label"] == "Wes"), None)
            if row is not None:
                break
            time.sleep(0.2)
    finally:
        consumer.stop(graceful=True)
    assert row is not None, "the scheduled refresh never ran"
    assert (row["replied"], row["solved"]) == (1, 1)
    tickets.update_ticket(ticket, agent, status="open")  # a later change schedules a new refresh
    assert [t.args for t in huey.pending() if t.name == "refresh_report_facts"] == [(ticket.id,)]
