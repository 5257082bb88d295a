"""The report pages: who may see them, the numbers they show, drill-downs and CSV files."""

from __future__ import annotations

import csv
import io

import pytest

from helpdesk.services.reports import facts as report_facts

RANGE = "start=2026-03-02&end=2026-03-03"


@pytest.fixture
def built(scenario):
    report_facts.rebuild()
    return scenario


def _csv(response):
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_agents_get_403_on_every_report_url(client, login, built):
    login(built.ana)
    for url in (f"/reports?{RANGE}", f"/reports/agent.csv?{RANGE}", f"/reports/series.json?{RANGE}",
                f"/reports/tickets?metric=solved&dimension=agent&key={built.ben.id}&{RANGE}"):
        assert client.get(url).status_code == 403, url


def test_signed_out_visitors_are_sent_to_the_login_page(client, built):
    assert client.get(f"/reports?{RANGE}").status_code == 302


def test_supervisor_sees_the_agent_table_with_its_numbers(client, login, built):
    login(built.boss)
    page = client.get(f"/reports?{RANGE}").get_data(as_text=True)
    assert 'id="report-agent"' in page and "Ana" in page and "Ben" in page
    assert "7h 00m" in page  # Ben's resolution time of ticket 1, calendar time
    assert "1d 3h" in page  # Ana's resolution after the reopen (27 h)


def test_breakdowns_are_one_view_each_with_the_same_filters(client, login, built):
    login(built.boss)
    page = client.get(f"/reports?{RANGE}&view=group").get_data(as_text=True)
    assert 'id="report-group"' in page and 'id="report-agent"' not in page
    assert ">Support<" in page
    assert "view=channel&amp;start=2026-03-02&amp;end=2026-03-03" in page


def test_agent_table_csv_has_every_metric_and_sorts_like_the_page(client, login, built):
    login(built.boss)
    rows = _csv(client.get(f"/reports/agent.csv?{RANGE}&sort=solved&dir=desc"))
    assert [r["label"] for r in rows] == ["Ana", "Ben"]
    assert (rows[0]["solved"], rows[0]["resolution_median"], rows[0]["nps"]) == ("2", "43200", "50.0")
    assert (rows[1]["first_response_business_p90"], rows[1]["csat_avg"], rows[1]["reopened"]) == ("3600", "5.0", "1")
    for dimension in ("group", "channel", "priority"):
        assert len(_csv(client.get(f"/reports/{dimension}.csv?{RANGE}"))) == 1


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(client, login, built, app):
    from helpdesk.extensions import db

    built.ben.name = "=HYPERLINK(\"http://evil.example\")"
    db.session.commit()
    login(built.boss)
    rows = _csv(client.get(f"/reports/agent.csv?{RANGE}"))
    labels = sorted(r["label"] for r in rows)
    assert labels == ["'=HYPERLINK(\"http://evil.example\")", "Ana"]


@pytest.mark.parametrize("lead", ["+", "-", "@", "="])
def test_every_formula_lead_is_escaped(lead):
    from helpdesk.services.reports.export import safe_cell

    assert safe_cell(f"{lead}1+1") == f"'{lead}1+1"
    assert safe_cell(-5) == -5  # numbers stay numbers


def test_drill_down_lists_the_tickets_behind_a_number(client, login, built):
    login(built.boss)
    page = client.get(f"/reports/tickets?metric=solved&dimension=agent&key={built.ana.id}&{RANGE}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"/tickets/{built.t1}" in text and f"/tickets/{built.t2}" in text
    reopened = client.get(f"/reports/tickets?metric=reopened&dimension=agent&key={built.ben.id}&{RANGE}&format=csv")
    assert [r["ticket_id"] for r in _csv(reopened)] == [str(built.t1)]
    missed = _csv(client.get(f"/reports/tickets?metric=sla_resolution_missed&dimension=agent&key={built.ana.id}"
                             f"&{RANGE}&format=csv"))
    assert [(r["ticket_id"], r["value"]) for r in missed] == [(str(built.t1), "False")]
    csat = _csv(client.get(f"/reports/tickets?metric=csat_avg&dimension=agent&key={built.ben.id}&{RANGE}&format=csv"))
    assert [(r["ticket_id"], r["value"]) for r in csat] == [(str(built.t1), "5")]


@pytest.mark.parametrize("query, message", [
    ("start=2026-13-01", "start: must be a date"),
    ("start=2026-03-05&end=2026-03-01", "start: must not be after end"),
    ("start=2024-01-01&end=2026-03-01", "at most 400 days"),
    ("group_id=99999", "group_id: no group 99999"),
    ("priority=extreme", "priority: must be one of"),
])
def test_bad_filters_get_a_clear_error_and_keep_what_was_typed(client, login, built, query, message):
    login(built.boss)
    response = client.get(f"/reports?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert client.get(f"/reports/agent.csv?{query}").status_code == 400


def test_drill_down_rejects_unknown_metrics_and_keys(client, login, built):
    login(built.boss)
    assert client.get(f"/reports/tickets?metric=password&dimension=agent&key=1&{RANGE}").status_code == 400
    assert client.get(f"/reports/tickets?metric=solved&dimension=agent&key=abc&{RANGE}").status_code == 400


def test_series_has_a_value_per_day(client, login, built):
    login(built.boss)
    series = client.get(f"/reports/series.json?{RANGE}").get_json()
    assert series["days"] == ["2026-03-02", "2026-03-03"]
    assert series["volume"] == {"email": [2, 0]}
    assert series["solved"] == [1, 2]
    assert series["sla_pct"] == [50.0, None]  # the resolution missed on Monday, when it breached
    assert series["csat_avg"] == [5.0, None]
