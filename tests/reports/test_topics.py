"""The Topics report: the hand-worked tickets of tests/reports/conftest.py given topics, and a few
more, through the service, the console page, its CSV and chart series, and the API."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from urllib.parse import parse_qs, urlparse

import pytest

from helpdesk.extensions import db
from helpdesk.models import Ticket, TicketTopic, Topic
from helpdesk.services.reports import facts as report_facts
from helpdesk.services.reports import topics as topic_report
from helpdesk.services.reports.tables import ReportFilter

RANGE = "start=2026-03-02&end=2026-03-03"


@pytest.fixture
def topical(scenario):
    """Ticket 1 (2 h first response, first solve 7 h, reopened, CSAT 5) is about logins, ticket 2
    (30 min, 12 h) about refunds; one more login ticket came the Saturday before; three refund
    tickets on Tuesday for Billing by web; one ticket with no topic; a hidden noise topic."""
    logins = Topic(label="login / password / reset", terms={"login": 1.0}, pinned=True, hidden=False, active=True, size=0)
    refunds = Topic(label="refund / charge", name="Refunds", terms={"refund": 1.0}, pinned=False, hidden=False,
                    active=True, size=0)
    noise = Topic(label="hello / thanks", terms={"hello": 1.0}, pinned=False, hidden=True, active=True, size=0)
    db.session.add_all([logins, refunds, noise])
    db.session.flush()
    t1 = db.session.get(Ticket, scenario.t1)

    def ticket(created: datetime, topic: Topic | None, group, channel="email") -> int:
        row = Ticket(subject="More", status="open", channel=channel, source="web", customer_id=t1.customer_id,
                     group_id=group.id, priority=1, created_at=created, updated_at=created)
        db.session.add(row)
        db.session.flush()
        if topic is not None:
            db.session.add(TicketTopic(ticket_id=row.id, topic_id=topic.id, score=0.5))
        return row.id

    db.session.add(TicketTopic(ticket_id=scenario.t1, topic_id=logins.id, score=0.9))
    db.session.add(TicketTopic(ticket_id=scenario.t2, topic_id=refunds.id, score=0.9))
    ticket(datetime(2026, 2, 28, 12), logins, scenario.support)
    extra = [ticket(datetime(2026, 3, 3, 10 + n), refunds, scenario.billing, "web") for n in range(3)]
    untopical = ticket(datetime(2026, 3, 3, 9), None, scenario.support)
    ticket(datetime(2026, 3, 2, 9), noise, scenario.support)
    db.session.commit()
    report_facts.rebuild()
    scenario.logins, scenario.refunds, scenario.noise, scenario.extra, scenario.untopical = (
        logins, refunds, noise, extra, untopical)
    return scenario


def _row(result, key):
    return next(r for r in result.rows if r["key"] == key)


def test_per_topic_counts_times_reopens_and_csat(topical):
    result = topic_report.report(ReportFilter(datetime(2026, 3, 2).date(), datetime(2026, 3, 3).date()))
    logins, refunds = _row(result, topical.logins.id), _row(result, topical.refunds.id)
    assert (logins["tickets"], logins["previous"], logins["growth_pct"]) == (1, 1, 0.0)
    assert (logins["first_response_avg"], logins["resolution_avg"]) == (7200, 25200)  # the first solve: 7 h
    assert (logins["solved"], logins["reopened"], logins["reopen_rate"]) == (1, 1, 100.0)
    assert (logins["csat_answered"], logins["csat_avg"]) == (1, 5.0)
    assert (refunds["label"], refunds["tickets"], refunds["previous"], refunds["growth_pct"]) == ("Refunds", 4, 0, None)
    assert (refunds["first_response_median"], refunds["resolution_median"], refunds["reopen_rate"]) == (1800, 43200, 0.0)
    assert refunds["by_period"] == {"2026-03-02": 1, "2026-03-03": 3}
    assert refunds["by_channel"] == {"email": 1, "web": 3}
    assert refunds["by_group"] == {topical.support.id: 1, topical.billing.id: 3}
    assert [r["key"] for r in result.trending] == [topical.refunds.id]
    assert _row(result, None)["tickets"] == 1  # no topic: one row of its own
    assert topical.noise.id not in [r["key"] for r in result.rows]  # hidden
    with_hidden = topic_report.report(ReportFilter(datetime(2026, 3, 2).date(), datetime(2026, 3, 3).date()),
                                      "week", include_hidden=True)
    assert _row(with_hidden, topical.noise.id)["tickets"] == 1
    assert _row(with_hidden, topical.refunds.id)["by_period"] == {"2026-03-02": 4}  # Monday's week


def test_agents_get_403_and_the_signed_out_the_login_page(client, login, topical):
    for url in (f"/reports/topics?{RANGE}", f"/reports/topics.csv?{RANGE}", f"/reports/topics/series.json?{RANGE}"):
        assert client.get(url).status_code == 302, url
    login(topical.ana)
    for url in (f"/reports/topics?{RANGE}", f"/reports/topics.csv?{RANGE}", f"/reports/topics/series.json?{RANGE}"):
        assert client.get(url).status_code == 403, url


def _links(page: str) -> list[str]:
    import re

    main = page[page.index('id="report-topics"'):]  # the report's links, not the navigation's
    return [h.replace("&amp;", "&") for h in re.findall(r'href="(/tickets\?[^"]+)"', main)]


def test_the_page_shows_the_numbers_and_each_links_to_its_tickets(client, login, topical):
    login(topical.boss)
    page = client.get(f"/reports/topics?{RANGE}").get_data(as_text=True)
    assert 'id="report-topics"' in page and "Refunds" in page and "login / password / reset" in page
    assert 'id="topics-trending"' in page and "hello / thanks" not in page
    assert "2h 00m" in page and "100.0%" in page and 'id="chart-topics"' in page
    links = _links(page)
    assert links and all("topic_id=" in link and "created" in link for link in links)
    # The refunds count's link lists exactly those four tickets.
    refund_link = next(link for link in links if f"topic_id={topical.refunds.id}&" in link and "channel" not in link
                        and "group_id" not in link and "created%3E%3D2026-03-02+created%3C%3D2026-03-03" in link)
    listed = client.get(refund_link).get_data(as_text=True)
    ids = {topical.t2, *topical.extra}
    assert all(f"/tickets/{i}" in listed for i in ids) and f"/tickets/{topical.t1}\"" not in listed
    assert "Topic: Refunds" in listed
    # By channel: web's link shows only the three web tickets.
    web = next(link for link in links if f"topic_id={topical.refunds.id}&" in link and "channel=web" in link)
    listed = client.get(web).get_data(as_text=True)
    assert all(f"/tickets/{i}" in listed for i in topical.extra) and f'/tickets/{topical.t2}"' not in listed
    # The no-topic row links to the tickets without one.
    none = client.get(next(link for link in links if "topic_id=none" in link)).get_data(as_text=True)
    assert f'/tickets/{topical.untopical}"' in none and f'/tickets/{topical.t2}"' not in none


def test_csv_and_series_hold_the_same_numbers(client, login, topical):
    login(topical.boss)
    response = client.get(f"/reports/topics.csv?{RANGE}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    refunds = next(r for r in rows if r["label"] == "Refunds")
    assert (refunds["tickets"], refunds["2026-03-03"], refunds["resolution_median"]) == ("4", "3", "43200")
    series = client.get(f"/reports/topics/series.json?{RANGE}&period=week").get_json()
    assert series["periods"] == ["2026-03-02"] and series["topics"]["Refunds"] == [4]
    assert client.get(f"/reports/topics?{RANGE}&period=month").status_code == 400
    assert client.get("/reports/topics?start=2026-03-05&end=2026-03-01").status_code == 400


def test_the_api_answers_supervisors_with_links_and_refuses_agents(client, token_for, topical):
    def get(user, url):
        return client.get(url, headers={"Authorization": f"Bearer {token_for(user)}"})

    assert get(topical.ana, f"/api/v1/reports/topics?{RANGE}").status_code == 403
    response = get(topical.boss, f"/api/v1/reports/topics?{RANGE}&period=day")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    refunds = next(i for i in body["items"] if i["key"] == topical.refunds.id)
    assert (refunds["tickets"], refunds["by_group"][str(topical.billing.id)], refunds["csat_avg"]) == (4, 3, None)
    assert body["trending"] == [topical.refunds.id] and body["periods"] == ["2026-03-02", "2026-03-03"]
    query = parse_qs(urlparse(refunds["tickets_url"]).query)
    assert query["topic_id"] == [str(topical.refunds.id)] and query["view"] == ["all"]
    assert get(topical.boss, f"/api/v1/reports/topics?{RANGE}&period=year").status_code == 422
    assert get(topical.boss, "/api/v1/reports/topics?start=nope").status_code == 422
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/reports/topics" in spec["paths"]
