"""The SLA in the console: admin pages (admins only), clocks in lists and on the ticket page,
the supervisor dashboard (supervisors and admins only), notifications."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import SlaCalendar, SlaPolicyConfig, Ticket
from helpdesk.services.sla import config as sla_config
from helpdesk.services.sla import scan as sla_scan
from helpdesk.web.sla_forms import format_duration, parse_duration
from tests.sla_app.conftest import MIN, T0, H, calendar_time

POLICY_FORM = {"name": "Standard", "position": "1", "active": "1", "first_response_goal": "1h",
               "resolution_goal": "8h", "resolution_pause": "pending", "first_response_warning": "75",
               "resolution_warning": "80"}


@pytest.mark.parametrize("path", ["/dashboard", "/dashboard/series.json", "/admin/sla", "/admin/sla/policies/new",
                                  "/admin/sla/calendars/new", "/admin/sla/preview?priority=high",
                                  "/admin/sla/recompute.json"])
def test_agents_cannot_see_the_dashboard_or_the_sla_admin(client, groups, make_user, login, path):
    login(make_user(role="agent"))
    assert client.get(path).status_code == 404


def test_supervisors_see_the_dashboard_but_not_the_sla_admin(client, groups, make_user, login):
    login(make_user(role="supervisor"))
    assert client.get("/dashboard").status_code == 200
    assert client.get("/admin/sla").status_code == 404
    assert client.post("/admin/sla/policies", data=POLICY_FORM).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(SlaPolicyConfig)) == 0


def test_signed_out_visitors_are_sent_to_sign_in(client, groups):
    assert client.get("/dashboard").status_code == 302
    assert client.get("/admin/sla").status_code == 302


def test_an_admin_sets_up_a_calendar_and_a_policy_and_previews_it(client, groups, make_user, login):
    login(make_user(role="admin"))
    response = client.post("/admin/sla/calendars", data={
        "name": "Madrid office", "timezone": "Europe/Madrid", "hours_mon": "09:00-14:00, 15:00-18:00",
        "hours_tue": "09:00-14:00, 15:00-18:00", "country": "ES", "subdivision": "MD",
        "holidays": "2026-08-14\n2026-12-26", "half_days": "2026-12-24 09:00-13:00"})
    assert response.status_code == 303
    calendar = db.session.scalars(select(SlaCalendar)).one()
    assert calendar.hours["mon"] == ["09:00-14:00", "15:00-18:00"] and calendar.half_days == {"2026-12-24": ["09:00-13:00"]}
    form = POLICY_FORM | {"calendar_id": str(calendar.id), "first_response_business": "1", "priorities": "urgent",
                          "breached_priority": "urgent", "email_supervisors": "1"}
    assert client.post("/admin/sla/policies", data=form).status_code == 303
    policy = db.session.scalars(select(SlaPolicyConfig)).one()
    assert policy.conditions["priorities"] == ["urgent"] and policy.escalations == {
        "breached": {"priority": "urgent", "group_id": None, "assignee_id": None}}
    assert [(t["kind"], t["goal_seconds"], t["business_time"]) for t in policy.targets] == [
        ("first_response", 3600, True), ("resolution", 8 * 3600, False)]
    page = client.get("/admin/sla").get_data(as_text=True)
    assert "Standard" in page and "Madrid office" in page and "done" in page
    preview = client.get("/admin/sla/preview?priority=urgent").get_data(as_text=True)
    assert "gets the policy <strong>Standard</strong>" in preview and "first response due at" in preview
    assert "no SLA" in client.get("/admin/sla/preview?priority=low").get_data(as_text=True)
    assert client.get("/admin/sla/recompute.json").get_json()["state"] == "done"
    edit = client.get(f"/admin/sla/policies/{policy.id}").get_data(as_text=True)
    assert 'value="1h"' in edit and 'value="75"' in edit


@pytest.mark.parametrize("changes, complaint", [
    ({"name": ""}, "name"),
    ({"first_response_goal": "soon"}, "not a duration"),
    ({"first_response_goal": "", "resolution_goal": ""}, "at least one target"),
    ({"first_response_business": "1"}, "need a calendar"),
    ({"resolution_warning": "150"}, "warning_fraction"),
    ({"priorities": "apocalyptic"}, "conditions.priorities"),
    ({"calendar_id": "abc"}, "calendar_id"),
    ({"breached_group_id": "99999"}, "escalations.breached.group_id"),
])
def test_bad_policies_are_refused_with_the_form_kept(client, groups, make_user, login, changes, complaint):
    login(make_user(role="admin"))
    response = client.post("/admin/sla/policies", data=POLICY_FORM | changes)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert complaint in page
    assert db.session.scalar(select(func.count()).select_from(SlaPolicyConfig)) == 0


def test_bad_calendars_are_refused(client, groups, make_user, login):
    login(make_user(role="admin"))
    response = client.post("/admin/sla/calendars", data={"name": "X", "timezone": "Mars/Olympus", "hours_mon": "9-5"})
    assert response.status_code == 400 and "timezone" in response.get_data(as_text=True)
    response = client.post("/admin/sla/calendars", data={"name": "X", "timezone": "UTC", "half_days": "2026-12-24"})
    assert response.status_code == 400 and "half_days" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SlaCalendar)) == 0


def test_a_calendar_in_use_cannot_be_deleted(client, groups, make_user, login):
    login(make_user(role="admin"))
    calendar = sla_config.save_calendar(None, name="Office", timezone="UTC", hours={"mon-fri": "09:00-17:00"})
    sla_config.save_policy(None, name="P", calendar_id=calendar.id, targets=[{"kind": "resolution", "goal_seconds": 60}])
    page = client.post(f"/admin/sla/calendars/{calendar.id}/delete", follow_redirects=True).get_data(as_text=True)
    assert "used by the policies" in page
    assert db.session.get(SlaCalendar, calendar.id) is not None


def test_lists_and_the_ticket_page_show_the_clock(client, groups, make_user, login, inbound):
    sla_config.save_policy(None, name="Standard", targets=calendar_time())
    ticket_id = inbound().ticket_id
    login(make_user(role="agent"))
    rows = client.get("/tickets?view=open").get_data(as_text=True)
    assert re.search(r'class="sla-clock sla-ok"[^>]*data-due="[^"]+Z"[^>]*>\s*(59m|1h) left', rows)
    page = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert "First response</strong> <span class=\"sla-state\">ok</span>" in page and "Resolution</strong>" in page


def test_paused_and_overdue_clocks(client, groups, make_user, login, inbound):
    sla_config.save_policy(None, name="Standard", targets=calendar_time())
    paused, late = inbound(email="a@example.com").ticket_id, inbound(email="b@example.com").ticket_id
    db.session.get(Ticket, paused).sla_state = "paused"
    db.session.get(Ticket, late).sla_state = "breached"
    db.session.get(Ticket, late).sla_due_at = db.session.get(Ticket, late).created_at - 20 * MIN
    db.session.commit()
    login(make_user(role="agent"))
    rows = client.get("/tickets?view=open").get_data(as_text=True)
    assert re.search(r'sla-paused"[^>]*>paused<', rows)
    assert re.search(r'sla-breached"[^>]*>overdue 2\dm<', rows)


def test_the_dashboard_counts_open_tickets_and_lists_those_at_risk(app, client, groups, make_user, login, inbound,
                                                                   monkeypatch):
    from tests.sla_app.conftest import CLOCKED, Clock

    clock = Clock(T0)
    import importlib
    for name in CLOCKED + ("helpdesk.services.sla.dashboard",):
        monkeypatch.setattr(importlib.import_module(name), "utcnow", clock)
    sla_config.save_policy(None, name="Standard", targets=calendar_time(first=3600, resolution=None))
    at_risk = inbound(email="risk@example.com", subject="Printer <on fire>").ticket_id
    clock.at(T0 + 30 * MIN)
    inbound(email="calm@example.com")
    sla_scan.scan(T0 + 50 * MIN)  # the first one is in warning, the second is not
    clock.at(T0 + 50 * MIN)
    login(make_user(role="supervisor"))
    page = client.get("/dashboard").get_data(as_text=True)
    assert re.search(r'id="count-warning">1<', page) and re.search(r'id="count-ok">1<', page)
    items = re.findall(r'<li data-ticket-id="(\d+)">', page)
    assert items == [str(at_risk)] and "Printer &lt;on fire&gt;" in page
    assert re.search(r'id="breaches-today">0<', page)
    sla_scan.scan(T0 + 2 * H)
    panels = client.get("/dashboard?fragment=panels").get_data(as_text=True)
    assert re.search(r'id="count-breached">2<', panels) and re.search(r'id="breaches-today">2<', panels)
    assert "<html" not in panels and "Nothing at risk." in panels
    series = client.get("/dashboard/series.json").get_json()
    assert len(series["days"]) == 30 and series["breaches"][-1] == 2


def test_notifications_reach_the_assignee_and_the_group(client, groups, make_user, login, inbound):
    sla_config.save_policy(None, name="Standard", targets=calendar_time(first=60, resolution=None))
    inbound(subject="Late one")
    from helpdesk.models.base import utcnow

    sla_scan.scan(utcnow() + 2 * H)
    login(make_user(role="agent", groups=("Support",)))
    page = client.get("/notifications").get_data(as_text=True)
    assert "breached its SLA" in page and "Late one" in page


def test_billing_agents_do_not_see_supports_notifications(client, groups, make_user, login, inbound):
    sla_config.save_policy(None, name="Standard", targets=calendar_time(first=60, resolution=None))
    inbound(subject="Support only")
    from helpdesk.models.base import utcnow

    sla_scan.scan(utcnow() + 2 * H)
    login(make_user(role="agent", groups=("Billing",)))
    assert "Support only" not in client.get("/notifications").get_data(as_text=True)


@pytest.mark.parametrize("text, seconds", [("4h", 14400), ("1h 30m", 5400), ("2d", 172800), ("45s", 45), ("90", 5400),
                                           ("", None)])
def test_durations_in_forms(text, seconds):
    assert parse_duration(text, "goal") == seconds
    if seconds:
        assert parse_duration(format_duration(seconds), "goal") == seconds
