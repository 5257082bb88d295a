"""Settings changes: open tickets are recomputed in the background, with progress; bad settings refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import SlaOutcome, SlaRecompute
from helpdesk.services import replies, tickets
from helpdesk.services.sla import config as sla_config
from helpdesk.services.sla import recompute as sla_recompute
from helpdesk.services.sla.config import SlaConfigError
from tests.sla_app.conftest import T0, H, calendar_time


def test_a_policy_change_recomputes_open_tickets_and_keeps_closed_verdicts(policy, inbound, ticket_of, make_user,
                                                                          clock, groups):
    standard = policy(targets=calendar_time(first=3600, resolution=8 * 3600))
    agent = make_user()
    open_ids = [inbound(email=f"o{i}@example.com").ticket_id for i in range(3)]
    closed = ticket_of(inbound(email="done@example.com"))
    replies.add_reply(closed, agent, body="Done")
    tickets.update_ticket(ticket_of(closed.id), agent, status="solved")
    clock.at(T0 + H)
    sla_config.save_policy(standard, name="Standard", targets=calendar_time(first=1800, resolution=4 * 3600))
    for ticket_id in open_ids:
        assert (ticket_of(ticket_id).first_response_due_at, ticket_of(ticket_id).resolution_due_at) == (
            T0 + H / 2, T0 + 4 * H)
        assert ticket_of(ticket_id).sla_state == "breached"  # half an hour overdue under the new goal
    run = sla_recompute.latest()
    assert (run.state, run.total, run.done, run.percent) == ("done", 3, 3, 100)
    verdicts = db.session.scalars(select(SlaOutcome.met).where(SlaOutcome.ticket_id == closed.id)).all()
    assert verdicts == [True, True]  # measured under the policy of the time, not rewritten


def test_a_newer_recomputation_supersedes_an_older_one(policy, inbound, clock, groups):
    policy()
    for i in range(5):
        inbound(email=f"s{i}@example.com")
    old, new = SlaRecompute(reason="old"), SlaRecompute(reason="new")
    db.session.add_all([old, new])
    db.session.commit()
    assert sla_recompute.run(old.id).state == "superseded"
    assert sla_recompute.run(new.id, batch=2).state == "done"
    assert sla_recompute.run(new.id).state == "done"  # a finished run is not run again


def test_deleting_the_only_policy_clears_the_clocks(policy, inbound, ticket_of, clock, groups):
    standard = policy()
    ticket_id = inbound().ticket_id
    sla_config.delete_policy(standard)
    ticket = ticket_of(ticket_id)
    assert (ticket.sla_policy_id, ticket.sla_state, ticket.first_response_due_at) == (None, "none", None)


@pytest.mark.parametrize("fields, field", [
    ({"name": ""}, "name"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"hours": {"mon": "9-5"}}, "hours"),
    ({"hours": {"funday": "09:00-17:00"}}, "hours"),
    ({"country": "XX"}, "country"),
    ({"country": "ES", "subdivision": "ZZ"}, "subdivision"),
    ({"subdivision": "MD"}, "subdivision"),
    ({"holidays": ["25/12/2026"]}, "holidays"),
    ({"half_days": {"2026-12-24": "morning"}}, "half_days"),
])
def test_bad_calendars_are_refused(app, fields, field):
    good = {"name": "Office", "timezone": "Europe/Madrid", "hours": {"mon-fri": "09:00-17:00"}}
    with pytest.raises(SlaConfigError) as refused:
        sla_config.save_calendar(None, **(good | fields))
    assert refused.value.field == field


def test_a_calendar_with_regional_holidays_and_half_days(app):
    row = sla_config.save_calendar(None, name="Madrid", timezone="Europe/Madrid", country="es", subdivision="md",
                                   hours={"mon-fri": ["09:00-14:00", "15:00-18:00"]}, holidays=["2026-08-14"],
                                   half_days={"2026-12-24": "09:00-13:00"})
    assert (row.country, row.subdivision, row.hours["sat"], row.hours["mon"]) == ("ES", "MD", [], ["09:00-14:00", "15:00-18:00"])
    calendar = sla_config.calendar_of(row)
    assert {"2026-05-02", "2026-08-14"} <= {d.isoformat() for d in calendar.holiday_dates(2026)}  # Madrid's own day
    with pytest.raises(SlaConfigError, match="already taken"):
        sla_config.save_calendar(None, name="Madrid", timezone="UTC", hours={})


@pytest.mark.parametrize("fields, field", [
    ({"targets": []}, "targets"),
    ({"targets": [{"kind": "lunch", "goal_seconds": 60}]}, "targets.0.kind"),
    ({"targets": [{"kind": "resolution", "goal_seconds": 0, "business_time": False}]}, "targets.0.goal_seconds"),
    ({"targets": [{"kind": "resolution", "goal_seconds": "soon"}]}, "targets.0"),
    ({"targets": [{"kind": "resolution", "goal_seconds": 60, "warning_fraction": 1.5, "business_time": False}]},
     "targets.0.warning_fraction"),
    ({"targets": [{"kind": "resolution", "goal_seconds": 60, "pause_statuses": ["solved"], "business_time": False}]},
     "targets.0.pause_statuses"),
    ({"targets": calendar_time() + calendar_time()}, "targets"),
    ({"targets": [{"kind": "resolution", "goal_seconds": 60}]}, "calendar_id"),
    ({"conditions": {"priorities": ["apocalyptic"]}}, "conditions.priorities"),
    ({"conditions": {"groups": [999]}}, "conditions.groups"),
    ({"conditions": {"colour": ["red"]}}, "conditions"),
    ({"escalations": {"breached": {"priority": "meh"}}}, "escalations.breached.priority"),
    ({"escalations": {"tomorrow": {"priority": "high"}}}, "escalations"),
    ({"escalations": {"warning": {"assignee_id": 999}}}, "escalations.warning.assignee_id"),
    ({"calendar_id": 999}, "calendar_id"),
    ({"position": 0}, "position"),
])
def test_bad_policies_are_refused(app, groups, fields, field):
    good = {"name": "Standard", "targets": calendar_time()}
    with pytest.raises(SlaConfigError) as refused:
        sla_config.save_policy(None, **(good | fields))
    assert refused.value.field == field
    assert sla_config.policies() == []


def test_preview_tells_when_a_new_ticket_would_be_due(policy, clock, groups):
    policy("Urgent", targets=calendar_time(first=900, resolution=7200), conditions={"priorities": ["urgent"]})
    policy("Standard", position=2)
    urgent = sla_config.preview(sla_config.facts_for(priority="urgent"), T0)
    assert (urgent.policy.name, urgent.due) == ("Urgent", {"first_response": T0 + H / 4, "resolution": T0 + 2 * H})
    assert sla_config.preview(sla_config.facts_for(priority="low"), T0).policy.name == "Standard"
    with pytest.raises(SlaConfigError):
        sla_config.facts_for(priority="whenever")


def test_a_customer_becoming_vip_recomputes_their_open_tickets(policy, inbound, ticket_of, clock, groups):
    from helpdesk.services import customers

    policy("VIP", targets=calendar_time(first=900, resolution=7200), conditions={"tiers": ["vip"]})
    policy("Standard", targets=calendar_time(first=3600, resolution=8 * 3600))
    ticket = ticket_of(inbound(email="boss@example.com"))
    assert ticket.first_response_due_at == T0 + H
    customers.update_customer(ticket.customer, tier="vip")
    assert ticket_of(ticket.id).first_response_due_at == T0 + H / 4
