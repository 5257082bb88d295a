"""Many crossings in one scan: each recorded and notified like a single one, their follow-up work
queued as one job per batch (an assignee e-mail job, a report refresh), not one or two per crossing."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Notification, ReportFact, SlaCrossing, Ticket, TicketEvent
from helpdesk.services import notifications, tickets
from helpdesk.services.sla import scan as sla_scan
from tests.sla_app.conftest import T0, H, calendar_time


@pytest.fixture
def queued(app_config):
    """Jobs go to the queue, as in production, instead of running in the caller."""
    app_config["HELPDESK_JOBS_IMMEDIATE"] = False
    yield
    from helpdesk.jobs.queue import huey

    huey.flush()


def _five_tickets(inbound, make_user) -> tuple[list[int], object, object]:
    """Five tickets: two assigned to Ana (who wants e-mail), one to Ben (who does not), two to nobody."""
    ana, ben = make_user(email="ana@staff.example"), make_user(email="ben@staff.example")
    notifications.set_email(ana, True)
    ids = [inbound(email=f"c{n}@example.com").ticket_id for n in range(5)]
    for ticket_id, who in zip(ids, (ana, ana, ben), strict=False):
        tickets.update_ticket(db.session.get(Ticket, ticket_id), who, assignee_id=who.id)
    return ids, ana, ben


def _assert_recorded(ids: list[int], ana, ben) -> None:
    db.session.rollback()
    crossings = db.session.execute(select(SlaCrossing.ticket_id, SlaCrossing.kind)).all()
    assert sorted(crossings) == [(i, "breached") for i in ids]
    timeline = db.session.scalars(select(TicketEvent).where(TicketEvent.kind == "sla")).all()
    assert sorted(e.ticket_id for e in timeline) == ids
    assert {e.data["crossing"] for e in timeline} == {"breached"}
    notes = db.session.scalars(select(Notification).where(Notification.kind == "sla.breached")).all()
    assert sorted((n.ticket_id, n.user_id) for n in notes if n.user_id) == sorted(
        [(ids[0], ana.id), (ids[1], ana.id), (ids[2], ben.id)])
    assert sorted(n.ticket_id for n in notes if n.group_id) == ids  # every ticket's group hears of it
    assert all("breached its SLA" in n.text for n in notes)


def _missed_facts(ids: list[int]) -> list[int]:
    db.session.rollback()
    return sorted(db.session.scalars(select(ReportFact.ticket_id).where(
        ReportFact.kind == "sla_first_response", ReportFact.met.is_(False))))


def test_a_burst_is_recorded_and_mailed_like_single_crossings(policy, inbound, make_user, clock, groups, smtp_server):
    policy(targets=calendar_time(first=3600, resolution=None))
    ids, ana, ben = _five_tickets(inbound, make_user)
    report = sla_scan.scan(T0 + 2 * H, batch=3)  # two batches
    assert sorted(c.ticket_id for c in report.fired) == ids
    _assert_recorded(ids, ana, ben)
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == ["ana@staff.example"] * 2  # Ben asked for none
    assert _missed_facts(ids) == ids  # the report counts each breach as missed


def test_a_burst_queues_one_mail_job_and_one_report_refresh_per_batch(queued, app, policy, inbound, make_user, clock,
                                                                       groups, smtp_server):
    from helpdesk.jobs.queue import huey

    policy(targets=calendar_time(first=3600, resolution=None))
    ids, ana, ben = _five_tickets(inbound, make_user)
    huey.flush()  # the assignments' own jobs
    sla_scan.scan(T0 + 2 * H)
    queued_jobs = _take(huey)
    mails = [t for t in queued_jobs if t.name == "mail_sla_notifications"]
    assert [sorted(p["ticket_id"] for p in t.args[1]) for t in mails] == [ids[:3]]  # the assigned ones, one job
    refreshes = [t for t in queued_jobs if t.name == "refresh_many_report_facts"]
    assert [t.args for t in refreshes] == [(ids,)] and refreshes[0].eta is not None  # after the report delay
    assert _missed_facts(ids) == []  # not yet: the worker does it
    later = datetime(2200, 1, 1)  # as if the report delay (real time, not the test clock) had passed
    for task in mails + refreshes:
        huey.execute(task, later)
    then = _take(huey)
    assert [t.name for t in then] == ["mail_notification"] * 2  # one per notification whose owner wants e-mail
    for task in then:
        huey.execute(task, later)
    assert sorted(m.rcpt_tos[0] for m in smtp_server.messages) == ["ana@staff.example"] * 2
    assert _missed_facts(ids) == ids


def _take(huey) -> list:
    """Every job queued so far, taken off the queue (as a worker would)."""
    taken = []
    while (task := huey.dequeue()) is not None:
        taken.append(task)
    return taken


def test_a_burst_runs_its_triggers_from_one_job(queued, app, policy, inbound, make_user, clock, groups, smtp_server):
    from helpdesk.jobs.queue import huey
    from helpdesk.services.automation import triggers

    policy(targets=calendar_time(first=3600, resolution=None))
    ids, _ana, _ben = _five_tickets(inbound, make_user)
    triggers.save(None, {"name": "Late", "event": "sla.breached", "match_all": [],
                         "actions": [{"type": "add_tags", "tags": ["late"]}]})
    huey.flush()
    sla_scan.scan(T0 + 2 * H)
    runs = [t for t in _take(huey) if t.name.startswith("run_triggers")]
    assert [(t.name, sorted(p["ticket_id"] for _key, p in t.args[1])) for t in runs] == [("run_triggers_many", ids)]
    huey.execute(runs[0], datetime(2200, 1, 1))
    db.session.rollback()
    assert {i: db.session.get(Ticket, i).tags for i in ids} == {i: ["late"] for i in ids}
