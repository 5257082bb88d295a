"""Conditions compiled into one function per event: each operator's meaning, the order and `stop`
of triggers, one look at a calendar per event, and an admin's values kept as data."""

from __future__ import annotations

from datetime import datetime

import pytest

from helpdesk.services.automation.conditions import compile_all, compile_match

CTX = {"now": datetime(2026, 12, 7, 10, 0), "status": "open", "priority": "high", "group": 3, "group_name": "Billing",
       "assignee": None, "channel": "email", "subject": "refund please", "text": "refund please\nmy invoice is wrong",
       "tags": frozenset({"vip", "billing"}), "language": "es", "customer.tier": "vip", "customer.organization": 7,
       "organization_name": "Acme", "custom.seats": 12.0, "custom.reason": "Refund", "hours_since_created": 49.5}


@pytest.mark.parametrize(("condition", "holds"), [
    ({"field": "status", "op": "is", "value": "open"}, True),
    ({"field": "status", "op": "is_not", "value": "open"}, False),
    ({"field": "group", "op": "is", "value": "Billing"}, True),  # by name
    ({"field": "group", "op": "in", "value": [1, 3]}, True),  # by id
    ({"field": "customer.organization", "op": "not_in", "value": ["Acme"]}, False),
    ({"field": "text", "op": "contains", "value": ["nothing", "invoice"]}, True),
    ({"field": "text", "op": "in", "value": ["INVOICE".lower()]}, True),  # words in a text
    ({"field": "subject", "op": "not_contains", "value": ["refund"]}, False),
    ({"field": "tags", "op": "includes", "value": ["vip", "x"]}, True),
    ({"field": "tags", "op": "is", "value": "billing"}, True),
    ({"field": "tags", "op": "excludes", "value": ["vip"]}, False),
    ({"field": "custom.seats", "op": "gte", "value": 12}, True),
    ({"field": "custom.seats", "op": "lt", "value": 12}, False),
    ({"field": "custom.reason", "op": "gt", "value": 1}, False),  # not a number: never compares
    ({"field": "hours_since_pending", "op": "gt", "value": 0}, False),  # absent
    ({"field": "assignee", "op": "absent", "value": None}, True),
    ({"field": "language", "op": "present", "value": None}, True),
    ({"field": "custom.missing", "op": "is", "value": None}, True),
])
def test_each_operator_reads_the_context_as_documented(condition, holds):
    assert compile_match([condition], [], {})(CTX) is holds
    assert compile_all([([condition], [], False)], {})(CTX) == ([0] if holds else [])


def test_all_then_one_of_any_in_order_up_to_the_first_stop():
    yes, no = {"field": "status", "op": "is", "value": "open"}, {"field": "status", "op": "is", "value": "new"}
    check = compile_all([([yes], [no, yes], False), ([no], [], True), ([yes], [no], False), ([], [], True),
                         ([yes], [], False)], {})
    assert check(CTX) == [0, 3]  # 2 fails its any, 3 (no conditions) holds and stops
    assert compile_match([], [], {})(CTX) is True


class CountingCalendar:
    def __init__(self, inside: bool) -> None:
        self.inside, self.asked = inside, 0

    def is_business_time(self, moment: datetime) -> bool:
        assert moment.tzinfo is not None
        self.asked += 1
        return self.inside


def test_a_calendar_is_asked_once_per_event_however_many_triggers_name_it():
    open_hours = CountingCalendar(inside=True)
    during = {"field": "business_hours", "op": "during", "value": 1}
    outside = {"field": "business_hours", "op": "outside", "value": 1}
    unknown = {"field": "business_hours", "op": "during", "value": 99}  # a calendar since deleted: never holds
    check = compile_all([([during], [], False)] * 50 + [([outside], [], False), ([unknown], [], False)], {1: open_hours})
    assert check(CTX) == list(range(50))
    assert open_hours.asked == 1
    assert check(CTX) == list(range(50)) and open_hours.asked == 2  # a new event asks afresh


def test_an_admins_values_and_field_names_stay_data():
    sneaky = "x') or __import__('os').getcwd() or ('"
    check = compile_all([([{"field": "custom." + sneaky, "op": "is", "value": sneaky}], [], False),
                         ([{"field": "text", "op": "contains", "value": ['" or True or "']}], [], False)], {})
    assert check(CTX) == []
    assert check(CTX | {"custom." + sneaky: sneaky, "text": 'said " or True or " here'}) == [0, 1]
