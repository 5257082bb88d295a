"""Call metrics in the reports: offered, answered, missed, abandoned rate, average speed of answer
and handle time per agent, group and hour of the day; the console's Calls view with CSV, and
GET /api/v1/reports/calls; supervisors only."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

DAY = (datetime.now(UTC) - timedelta(days=1)).date()


def _at(hour: int, minute: int, after: int = 0) -> str:
    return (datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=UTC) + timedelta(seconds=after)).isoformat()


@pytest.fixture
def day_of_calls(post_event, make_user, groups):
    make_user(groups=("Billing",), email="bob@staff.example", name="Bob Billing")
    script = [
        ("c1", "support", [("answered", 20, {"agent": "201"}), ("ended", 140, {"duration": 120})], 10, 0),
        ("c2", "billing", [("answered", 40, {"agent": "bob@staff.example"}), ("ended", 100, {"duration": 60})], 10, 5),
        ("c3", "support", [("ended", 30, {"duration": 0, "cause": "abandoned"})], 14, 0),
        ("c4", "support", [("ended", 45, {"duration": 0, "cause": "no_answer"})], 14, 10),
        ("c5", "support", [], 14, 20),
    ]
    for call_id, queue, later, hour, minute in script:
        post_event({"event": "ringing", "call_id": call_id, "from": "+34612345678", "queue": queue,
                    "at": _at(hour, minute)})
        for kind, after, extra in later:
            response = post_event({"event": kind, "call_id": call_id, "at": _at(hour, minute, after), **extra})
            assert response.status_code == 200, response.get_json()
    return groups


def _query() -> dict:
    return {"start": DAY.isoformat(), "end": DAY.isoformat()}


def test_totals_and_per_agent_group_and_hour(app, day_of_calls):
    from helpdesk.services.calls import metrics
    from helpdesk.services.reports.tables import parse_filter

    f = parse_filter(_query(), DAY)
    assert metrics.totals(f) == {"offered": 5, "answered": 2, "missed": 2, "abandoned": 1, "abandoned_rate_pct": 20.0,
                                 "asa_seconds": 30, "aht_seconds": 90}
    agents = {row["label"]: row for row in metrics.table("agent", f)}
    assert agents["Ana Agent"]["asa_seconds"] == 20 and agents["Ana Agent"]["aht_seconds"] == 120
    assert agents["Bob Billing"]["answered"] == 1 and agents["Bob Billing"]["asa_seconds"] == 40
    assert agents["no agent"]["offered"] == 3 and agents["no agent"]["missed"] == 2
    groups = {row["label"]: row for row in metrics.table("group", f)}
    assert groups["Support"]["offered"] == 4 and groups["Billing"]["answered"] == 1
    hours = metrics.table("hour", f)
    assert len(hours) == 24 and hours[10]["offered"] == 2 and hours[14]["offered"] == 3 and hours[14]["abandoned"] == 1
    assert hours[3]["offered"] == 0 and hours[3]["asa_seconds"] is None


def test_the_calls_view_and_its_csv_are_for_supervisors(app, client, login, make_user, day_of_calls):
    login(make_user())
    assert client.get("/reports/calls").status_code == 403
    login(make_user(role="supervisor", groups=()))
    page = client.get("/reports/calls", query_string=_query() | {"view": "hour"}).get_data(as_text=True)
    assert 'id="total-offered">5<' in page and 'id="total-abandoned_rate_pct">20.0 %<' in page
    assert 'id="calls-hour-14"' in page
    assert 'id="report-view-calls"' in client.get("/reports").get_data(as_text=True)
    exported = client.get("/reports/calls/agent.csv", query_string=_query())
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert exported.mimetype == "text/csv" and {r["label"] for r in rows} == {"Ana Agent", "Bob Billing", "no agent"}
    assert client.get("/reports/calls", query_string={"start": "yesterday"}).status_code == 400


def test_the_api_gives_the_same_numbers(app, client, make_user, token_for, day_of_calls):
    agent = {"Authorization": f"Bearer {token_for(make_user())}"}
    boss = {"Authorization": f"Bearer {token_for(make_user(role='supervisor', groups=()))}"}
    assert client.get("/api/v1/reports/calls", headers=agent).status_code == 403
    body = client.get("/api/v1/reports/calls", query_string=_query() | {"dimension": "group"}, headers=boss).get_json()
    assert body["totals"]["offered"] == 5 and body["dimension"] == "group"
    assert {i["label"]: i["offered"] for i in body["items"]} == {"Billing": 1, "Support": 4}
    bad = client.get("/api/v1/reports/calls", query_string={"dimension": "weekday"}, headers=boss)
    assert bad.status_code == 422
