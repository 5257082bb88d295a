"""SLA compliance has one definition (services.sla.compliance) on the dashboard, in the reports and
in the API: met ÷ (met + missed), a breached target missed from the moment it breached, open or not.
The scenario that showed "breached 4, breaches today 4, compliance today 100.0 %"."""

from __future__ import annotations

import importlib

import pytest

from helpdesk.services import replies
from helpdesk.services.sla import dashboard
from helpdesk.services.sla import scan as sla_scan
from tests.sla_app.conftest import MIN, T0, H, calendar_time

DAY = T0.date().isoformat()
NEXT_DAY = (T0.date().replace(day=T0.day + 1)).isoformat()


@pytest.fixture
def dashboard_clock(clock, monkeypatch):
    monkeypatch.setattr(importlib.import_module("helpdesk.services.sla.dashboard"), "utcnow", clock)
    return clock


def report(client, token, path: str, start: str = DAY, end: str = DAY) -> dict:
    response = client.get(f"/api/v1/reports/{path}?start={start}&end={end}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_four_open_breaches_and_one_met_target_are_20_percent_everywhere(
        policy, inbound, ticket_of, make_user, dashboard_clock, groups, client, token_for):
    policy(targets=calendar_time(first=3600, resolution=None))
    agent, supervisor = make_user(), make_user(role="supervisor", groups=())
    token = token_for(supervisor)
    ids = [inbound(email=f"c{n}@example.com").ticket_id for n in range(5)]
    dashboard_clock.at(T0 + 30 * MIN)
    replies.add_reply(ticket_of(ids[0]), agent, body="On it")  # met, today
    dashboard_clock.at(T0 + 2 * H)
    assert len(sla_scan.scan(T0 + 2 * H).fired) == 4  # the other four breach, still open

    board = dashboard.board()
    assert (board.states["breached"], board.breaches_today) == (4, 4)
    assert board.compliance["today"] == 20.0  # was 100.0: only stopped targets counted
    assert dashboard.series()["compliance"][-1] == 20.0
    (support,) = report(client, token, "groups")["items"]
    assert (support["sla_first_response_met"], support["sla_first_response_missed"]) == (1, 4)
    assert support["sla_first_response_pct"] == 20.0
    assert report(client, token, "series")["sla_pct"] == [20.0]

    # Answered late the next day: still one miss, counted on the day it breached, not twice.
    dashboard_clock.at(T0 + 24 * H)
    replies.add_reply(ticket_of(ids[1]), agent, body="Sorry for the wait")
    board = dashboard.board()
    assert board.compliance["today"] is None and board.compliance["7d"] == 20.0
    assert dashboard.series()["compliance"][-2:] == [20.0, None]
    assert report(client, token, "series", end=NEXT_DAY)["sla_pct"] == [20.0, None]
    (support,) = report(client, token, "groups", end=NEXT_DAY)["items"]
    assert (support["sla_first_response_met"], support["sla_first_response_missed"]) == (1, 4)
