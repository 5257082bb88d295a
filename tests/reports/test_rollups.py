"""The rollups a job maintains: idempotent, equal to a full rebuild, fed by real ticket changes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import ReportDaily, ReportFact, ReportMonthly
from helpdesk.services.reports import facts as report_facts
from helpdesk.services.reports import tables as reports
from helpdesk.services.reports.tables import ReportFilter


def _snapshot():
    """The facts, and the rollups summed per key (rows whose counts are all zero left out)."""
    facts = sorted(tuple(r) for r in db.session.execute(select(
        ReportFact.ticket_id, ReportFact.kind, ReportFact.key, ReportFact.agent_id, ReportFact.seconds,
        ReportFact.business_seconds, ReportFact.n, ReportFact.met)))
    sums: dict = {}
    for model, period in ((ReportDaily, "day"), (ReportMonthly, "month")):
        for row in db.session.scalars(select(model)):
            key = (period, *(getattr(row, d) for d in (period, *report_facts.DIMENSIONS[1:])))
            total = sums.setdefault(key, dict.fromkeys(report_facts.ROLLUP_SPEC, 0))
            for column in report_facts.ROLLUP_SPEC:
                total[column] += getattr(row, column)
    return facts, {k: v for k, v in sums.items() if any(v.values())}


def test_refreshing_tickets_again_and_again_never_counts_twice_and_equals_a_rebuild(scenario):
    report_facts.refresh([scenario.t1])
    report_facts.refresh([scenario.t2, scenario.t1])
    report_facts.refresh([scenario.t1, scenario.t2])
    refreshed = _snapshot()
    report_facts.rebuild()
    assert _snapshot() == refreshed
    assert sum(row["solved"] for key, row in refreshed[1].items() if key[0] == "day") == 3  # not six
    assert sum(row["solved"] for key, row in refreshed[1].items() if key[0] == "month") == 3


def test_a_ticket_whose_history_changes_moves_its_counts(scenario):
    from helpdesk.models import TicketEvent

    report_facts.rebuild()
    db.session.query(TicketEvent).filter(TicketEvent.ticket_id == scenario.t2,
                                         TicketEvent.kind == "changed", TicketEvent.actor_id == scenario.ana.id,
                                         TicketEvent.data.is_not(None)).delete()
    db.session.commit()
    report_facts.refresh([scenario.t2])
    rows = {r["label"]: r for r in reports.table("agent", ReportFilter(date(2026, 3, 2), date(2026, 3, 3)))}
    assert rows["Ana"]["solved"] == 1
    snapshot = _snapshot()
    report_facts.rebuild()
    assert _snapshot() == snapshot


def test_replies_and_solves_through_the_services_reach_the_report_by_the_job(app, make_user, groups, inbound):
    from helpdesk.models import Ticket
    from helpdesk.models.base import utcnow
    from helpdesk.services import replies, tickets

    agent = make_user("agent", ("Support",), name="Dora")
    other = make_user("agent", ("Support",), name="Eli")
    ticket_id = inbound(body="My order is late").ticket_id
    ticket = db.session.get(Ticket, ticket_id)
    tickets.update_ticket(ticket, other, assignee_id=agent.id)
    replies.add_reply(ticket, agent, body="Looking into it")
    replies.add_reply(ticket, other, body="internal", internal=True)
    tickets.update_ticket(ticket, other, status="solved")
    today = utcnow().date()
    rows = {r["label"]: r for r in reports.table("agent", ReportFilter(today, today))}
    assert (rows["Dora"]["assigned"], rows["Dora"]["replied"], rows["Dora"]["solved"]) == (1, 1, 0)
    assert rows["Dora"]["first_response_median"] is not None
    assert (rows["Eli"]["solved"], rows["Eli"]["replied"], rows["Eli"]["first_response_avg"]) == (1, 0, None)
    tickets.update_ticket(ticket, agent, status="open")  # Dora undoes Eli's solve: Eli's reopen
    rows = {r["label"]: r for r in reports.table("agent", ReportFilter(today, today))}
    assert rows["Eli"]["reopened"] == 1
