"""Conditions of triggers and automations: validated once when saved, compiled into small
functions of an evaluation context (a flat dict, see `context`), so evaluating hundreds of
triggers per event costs a few dictionary look-ups each.

A condition is `{"field": ..., "op": ..., "value": ...}`. Fields: status, priority, group (id or
name), assignee (id; null: unassigned), channel, subject, text (subject and the message's words),
tags, language, customer.tier, customer.organization (id or name), sender_priority (at intake),
business_hours (value: an SLA calendar id; op `during` or `outside`), hours_since_created /
updated / pending / solved / last_customer_message (automations), and custom fields as
`custom.<key>` (ticket), `customer.custom.<key>`, `organization.custom.<key>`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC

PLAIN_FIELDS = ("status", "priority", "group", "assignee", "channel", "subject", "text", "tags", "language",
                "customer.tier", "customer.organization", "sender_priority", "business_hours")
HOURS_FIELDS = ("hours_since_created", "hours_since_updated", "hours_since_pending", "hours_since_solved",
                "hours_since_last_customer_message")
CUSTOM_PREFIXES = ("custom.", "customer.custom.", "organization.custom.")
OPS = ("is", "is_not", "in", "not_in", "contains", "not_contains", "includes", "excludes", "gt", "gte", "lt", "lte",
       "present", "absent", "during", "outside")
# Fields whose value may be named by id or by name (the context holds both).
NAMED = {"group": "group_name", "customer.organization": "organization_name"}

Check = Callable[[dict], bool]


class ConditionError(ValueError):
    """A condition that cannot be saved; `field` names where (e.g. `match_all[2].op`)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _known_field(name: str, *, hours: bool) -> bool:
    if name in PLAIN_FIELDS or (hours and name in HOURS_FIELDS):
        return True
    return any(name.startswith(p) and len(name) > len(p) for p in CUSTOM_PREFIXES)


def validate(conditions: list, where: str, *, hours: bool = False) -> list[dict]:
    """`conditions` checked and normalised (lists for in/contains, lower-case words); ConditionError."""
    if not isinstance(conditions, list):
        raise ConditionError(where, "must be a list of conditions")
    clean = []
    for index, condition in enumerate(conditions):
        at = f"{where}[{index}]"
        if not isinstance(condition, dict):
            raise ConditionError(at, "must be an object with field, op and value")
        field, op, value = condition.get("field"), condition.get("op"), condition.get("value")
        if not isinstance(field, str) or not _known_field(field, hours=hours):
            raise ConditionError(f"{at}.field", f"unknown field {field!r}")
        if op not in OPS:
            raise ConditionError(f"{at}.op", f"must be one of {list(OPS)}")
        if op in ("in", "not_in", "contains", "not_contains", "includes", "excludes"):
            value = [value] if isinstance(value, str | int | float | bool) or value is None else value
            if not isinstance(value, list) or not value:
                raise ConditionError(f"{at}.value", "must be a non-empty list")
            if op in ("contains", "not_contains", "includes", "excludes"):
                value = [str(v).strip().lower() for v in value if str(v).strip()]
        elif op in ("gt", "gte", "lt", "lte"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConditionError(f"{at}.value", "must be a number")
        elif op in ("during", "outside"):
            if field != "business_hours" or isinstance(value, bool) or not isinstance(value, int):
                raise ConditionError(f"{at}.value", "business_hours takes an SLA calendar id")
        clean.append({"field": field, "op": op, "value": value})
    return clean


def _equal(field: str, value) -> Check:
    alias = NAMED.get(field)
    if alias:
        return lambda ctx: ctx.get(field) == value or ctx.get(alias) == value
    return lambda ctx: ctx.get(field) == value


def _among(field: str, values: list) -> Check:
    wanted = frozenset(values)
    alias = NAMED.get(field)
    if alias:
        return lambda ctx: ctx.get(field) in wanted or ctx.get(alias) in wanted
    return lambda ctx: ctx.get(field) in wanted


def _contains(field: str, words: list[str]) -> Check:
    return lambda ctx: any(word in (ctx.get(field) or "") for word in words)


def _includes(field: str, words: list[str]) -> Check:
    wanted = frozenset(words)
    return lambda ctx: not wanted.isdisjoint(ctx.get(field) or ())


def _compare(field: str, op: str, bound: float) -> Check:
    def check(ctx: dict) -> bool:
        value = ctx.get(field)
        if value is None or isinstance(value, bool):
            return False
        try:
            number = float(value)
        except (TypeError, ValueError):
            return False
        return {"gt": number > bound, "gte": number >= bound, "lt": number < bound, "lte": number <= bound}[op]
    return check


def _business(op: str, calendar) -> Check:
    def check(ctx: dict) -> bool:
        if calendar is None:
            return False
        inside = calendar.is_business_time(ctx["now"].replace(tzinfo=UTC))
        return inside if op == "during" else not inside
    return check


def compile_one(condition: dict, calendars: dict) -> Check:
    """One condition as a function of the context; `calendars` maps SLA calendar ids to
    `sla.BusinessCalendar` for business-hours conditions."""
    field, op, value = condition["field"], condition["op"], condition["value"]
    if op in ("during", "outside"):
        return _business(op, calendars.get(value))
    if field == "text" and op in ("in", "is"):
        op = "contains"  # words in a text: the only sensible reading
        value = [str(v).lower() for v in (value if isinstance(value, list) else [value])]
    if field == "tags" and op in ("in", "is", "contains"):
        op, value = "includes", [str(v).lower() for v in (value if isinstance(value, list) else [value])]
    if op == "is":
        return _equal(field, value)
    if op == "is_not":
        positive = _equal(field, value)
        return lambda ctx: not positive(ctx)
    if op in ("in", "not_in"):
        positive = _among(field, value)
        return positive if op == "in" else (lambda ctx: not positive(ctx))
    if op in ("contains", "not_contains"):
        positive = _contains(field, value)
        return positive if op == "contains" else (lambda ctx: not positive(ctx))
    if op in ("includes", "excludes"):
        positive = _includes(field, value)
        return positive if op == "includes" else (lambda ctx: not positive(ctx))
    if op in ("gt", "gte", "lt", "lte"):
        return _compare(field, op, float(value))
    if op == "present":
        return lambda ctx: ctx.get(field) not in (None, "", (), frozenset())
    return lambda ctx: ctx.get(field) in (None, "", (), frozenset())


def compile_match(match_all: list, match_any: list, calendars: dict) -> Check:
    """True when every `match_all` condition holds and, if there are any, one of `match_any`."""
    every = tuple(compile_one(c, calendars) for c in match_all)
    some = tuple(compile_one(c, calendars) for c in match_any)

    def check(ctx: dict) -> bool:
        for condition in every:
            if not condition(ctx):
                return False
        if not some:
            return True
        for condition in some:
            if condition(ctx):
                return True
        return False
    return check
