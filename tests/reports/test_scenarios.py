"""Hand-worked scenarios (see conftest.py): every metric of both agents, exactly, on both databases."""

from __future__ import annotations

from datetime import date

import pytest

from helpdesk.services.reports import facts as report_facts
from helpdesk.services.reports import tables as reports
from helpdesk.services.reports.tables import ReportFilter

BOTH_DAYS = ReportFilter(date(2026, 3, 2), date(2026, 3, 3))


def _by_label(rows):
    return {r["label"]: r for r in rows}


@pytest.fixture
def built(scenario):
    report_facts.rebuild()
    return scenario


def test_agent_table_credits_who_replied_solved_and_was_reopened(built):
    rows = _by_label(reports.table("agent", BOTH_DAYS))
    assert set(rows) == {"Ana", "Ben"}
    ana, ben = rows["Ana"], rows["Ben"]
    assert {k: ana[k] for k in ("assigned", "replied", "replies", "replies_per_ticket", "solved", "reopened")} == {
        "assigned": 1, "replied": 2, "replies": 3, "replies_per_ticket": 1.5, "solved": 2, "reopened": 0}
    assert {k: ben[k] for k in ("assigned", "replied", "replies", "replies_per_ticket", "solved", "reopened")} == {
        "assigned": 1, "replied": 2, "replies": 2, "replies_per_ticket": 1.0, "solved": 1, "reopened": 1}


def test_first_response_goes_to_the_first_public_reply_in_calendar_and_business_time(built):
    rows = _by_label(reports.table("agent", BOTH_DAYS))
    ben, ana = rows["Ben"], rows["Ana"]
    # Ticket 1: the acknowledgement and Ana's note do not count; Ben at 10:00 does (2 h, 1 h in hours).
    assert (ben["first_response_avg"], ben["first_response_median"], ben["first_response_p90"]) == (7200, 7200, 7200)
    assert (ben["first_response_business_avg"], ben["first_response_business_p90"]) == (3600, 3600)
    # Ticket 2 has no policy: business time is calendar time.
    assert (ana["first_response_avg"], ana["first_response_business_median"]) == (1800, 1800)


def test_resolution_time_per_solve_with_pauses_left_out_of_business_time(built):
    rows = _by_label(reports.table("agent", BOTH_DAYS))
    ben, ana = rows["Ben"], rows["Ana"]
    assert (ben["resolution_avg"], ben["resolution_business_avg"]) == (25200, 14400)
    # Ana: ticket 1 after the reopen (27 h; 5.5 h business) and ticket 2 (12 h, no calendar).
    assert (ana["resolution_avg"], ana["resolution_median"], ana["resolution_p90"]) == (70200, 43200, 97200)
    assert (ana["resolution_business_avg"], ana["resolution_business_median"], ana["resolution_business_p90"]) == (
        31500, 19800, 43200)


def test_sla_outcomes_are_credited_to_the_responder_and_the_solver(built):
    rows = _by_label(reports.table("agent", BOTH_DAYS))
    ben, ana = rows["Ben"], rows["Ana"]
    assert (ben["sla_first_response_met"], ben["sla_first_response_missed"], ben["sla_first_response_pct"]) == (1, 0, 100.0)
    assert (ben["sla_resolution_met"], ben["sla_resolution_missed"], ben["sla_resolution_pct"]) == (0, 0, None)
    assert (ana["sla_resolution_met"], ana["sla_resolution_missed"], ana["sla_resolution_pct"]) == (0, 1, 0.0)


def test_csat_and_nps_count_answered_and_unanswered_surveys(built):
    rows = _by_label(reports.table("agent", BOTH_DAYS))
    ben, ana = rows["Ben"], rows["Ana"]
    assert {k: ben[k] for k in ("csat_sent", "csat_answered", "csat_response_rate", "csat_avg", "csat_satisfied_pct")} == {
        "csat_sent": 1, "csat_answered": 1, "csat_response_rate": 100.0, "csat_avg": 5.0, "csat_satisfied_pct": 100.0}
    assert {k: ana[k] for k in ("csat_sent", "csat_answered", "csat_response_rate", "csat_avg")} == {
        "csat_sent": 1, "csat_answered": 0, "csat_response_rate": 0.0, "csat_avg": None}
    # NPS: one promoter (10), one passive (8), no detractor.
    assert (ana["nps_sent"], ana["nps_answered"], ana["nps"]) == (2, 2, 50.0)
    assert ben["nps"] is None


def test_a_one_day_range_counts_only_that_days_events(built):
    rows = _by_label(reports.table("agent", ReportFilter(date(2026, 3, 3), date(2026, 3, 3))))
    assert (rows["Ana"]["solved"], rows["Ana"]["replied"], rows["Ana"]["assigned"]) == (2, 1, 0)
    assert (rows["Ben"]["solved"], rows["Ben"]["reopened"], rows["Ben"]["replied"]) == (0, 1, 0)


def test_group_filter_and_breakdowns(built):
    support = reports.table("group", BOTH_DAYS)
    assert [(r["label"], r["solved"], r["replies"], r["assigned"]) for r in support] == [("Support", 3, 5, 2)]
    billing_only = ReportFilter(BOTH_DAYS.start, BOTH_DAYS.end, group_id=built.billing.id)
    assert reports.table("agent", billing_only) == []
    channels = reports.table("channel", BOTH_DAYS)
    assert [(r["label"], r["solved"]) for r in channels] == [("email", 3)]
    priorities = reports.table("priority", BOTH_DAYS)
    assert [(r["label"], r["first_response_median"]) for r in priorities] == [("normal", 1800)]


def test_sorting_by_a_metric_puts_empty_cells_last(built):
    rows = reports.table("agent", BOTH_DAYS, sort="resolution_avg", descending=True)
    assert [r["label"] for r in rows] == ["Ana", "Ben"]
    rows = reports.table("agent", BOTH_DAYS, sort="csat_avg", descending=True)
    assert [r["label"] for r in rows] == ["Ben", "Ana"]
    with pytest.raises(reports.ReportError):
        reports.table("agent", BOTH_DAYS, sort="password_hash")


def test_a_long_range_reads_whole_months_and_walks_the_index_to_the_same_numbers(built):
    # 2026-02-15..2026-05-31: March whole (monthly rollups), more than 92 days (percentiles by walk).
    long = {r["label"]: r for r in reports.table("agent", ReportFilter(date(2026, 2, 15), date(2026, 5, 31)))}
    short = {r["label"]: r for r in reports.table("agent", BOTH_DAYS)}
    assert long == short
    assert long["Ana"]["resolution_p90"] == 97200 and long["Ben"]["first_response_business_median"] == 3600
