"""`/api/v1/reports/...`: the same numbers as the pages, for supervisors and admins only, documented."""

from __future__ import annotations

import pytest

from helpdesk.services.reports import facts as report_facts

RANGE = "start=2026-03-02&end=2026-03-03"


@pytest.fixture
def built(scenario):
    report_facts.rebuild()
    return scenario


@pytest.fixture
def get(client, token_for):
    def do(user, url):
        return client.get(url, headers={"Authorization": f"Bearer {token_for(user)}"})

    return do


def test_agent_table_through_the_api_has_the_hand_worked_numbers(get, built):
    response = get(built.boss, f"/api/v1/reports/agents?{RANGE}&sort=solved&dir=desc")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["start"], body["end"]) == ("2026-03-02", "2026-03-03")
    ana, ben = body["items"]
    assert (ana["label"], ana["solved"], ana["resolution_business_median"], ana["nps"]) == ("Ana", 2, 19800, 50.0)
    assert (ben["label"], ben["first_response_avg"], ben["csat_response_rate"], ben["reopened"]) == ("Ben", 7200, 100.0, 1)


def test_breakdowns_drill_down_and_series(get, built):
    groups = get(built.boss, f"/api/v1/reports/groups?{RANGE}").get_json()["items"]
    assert [(g["label"], g["solved"]) for g in groups] == [("Support", 3)]
    priorities = get(built.boss, f"/api/v1/reports/priorities?{RANGE}").get_json()["items"]
    assert [(p["key"], p["label"]) for p in priorities] == [(1, "normal")]
    tickets = get(built.boss, f"/api/v1/reports/tickets?metric=reopened&key={built.ben.id}&{RANGE}").get_json()
    assert [(t["ticket_id"], t["agent"]) for t in tickets["items"]] == [(built.t1, "Ben")]
    series = get(built.boss, f"/api/v1/reports/series?{RANGE}").get_json()
    assert series["solved"] == [1, 2]


def test_agents_get_403_and_bad_filters_422(get, built):
    assert get(built.ana, f"/api/v1/reports/agents?{RANGE}").status_code == 403
    assert get(built.ana, f"/api/v1/reports/tickets?metric=solved&{RANGE}").status_code == 403
    bad = get(built.boss, "/api/v1/reports/agents?start=2026-03-09&end=2026-03-01")
    assert bad.status_code == 422
    assert bad.get_json()["errors"]["query"]["start"] == ["must not be after end"]
    assert get(built.boss, f"/api/v1/reports/agents?{RANGE}&sort=password").status_code == 422
    assert get(built.boss, f"/api/v1/reports/tickets?metric=solved&key=x&{RANGE}").status_code == 422
    assert get(built.boss, f"/api/v1/reports/agents?{RANGE}&group_id=99999").status_code == 422
    assert get(built.boss, f"/api/v1/reports/customers?{RANGE}").status_code == 404


def test_reports_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/api/v1/reports/{dimension}", "/api/v1/reports/tickets", "/api/v1/reports/series"} <= set(paths)


def test_rebuild_command_recomputes_the_facts(app, built):
    from sqlalchemy import delete, func, select

    from helpdesk.extensions import db
    from helpdesk.models import ReportFact

    expected = db.session.scalar(select(func.count()).select_from(ReportFact))
    db.session.execute(delete(ReportFact))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["reports", "rebuild"])
    assert result.exit_code == 0, result.output
    assert f"rebuilt {expected} facts" in result.output
    assert db.session.scalar(select(func.count()).select_from(ReportFact)) == expected
