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

from helpdesk.i18n import gettext as _

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
        raise ConditionError(where, _("must be a list of conditions"))
    clean = []
    for index, condition in enumerate(conditions):
        at = f"{where}[{index}]"
        if not isinstance(condition, dict):
            raise ConditionError(at, _("must be an object with field, op and value"))
        field, op, value = condition.get("field"), condition.get("op"), condition.get("value")
        if not isinstance(field, str) or not _known_field(field, hours=hours):
            raise ConditionError(f"{at}.field", _("unknown field %(field)s", field=repr(field)))
        if op not in OPS:
            raise ConditionError(f"{at}.op", _("must be one of %(list)s", list=list(OPS)))
        if op in ("in", "not_in", "contains", "not_contains", "includes", "excludes"):
            value = [value] if isinstance(value, str | int | float | bool) or value is None else value
            if not isinstance(value, list) or not value:
                raise ConditionError(f"{at}.value", _("must be a non-empty list"))
            if op in ("contains", "not_contains", "includes", "excludes"):
                value = [str(v).strip().lower() for v in value if str(v).strip()]
        elif op in ("gt", "gte", "lt", "lte"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConditionError(f"{at}.value", _("must be a number"))
        elif op in ("during", "outside"):
            if field != "business_hours" or isinstance(value, bool) or not isinstance(value, int):
                raise ConditionError(f"{at}.value", _("business_hours takes an SLA calendar id"))
        clean.append({"field": field, "op": op, "value": value})
    return clean


EMPTY = (None, "", (), frozenset())


def _number(value) -> float | None:
    """`value` as a number for gt/gte/lt/lte, None when it is none (booleans are not numbers)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _inside(memo: dict, calendar, ctx: dict) -> bool:
    """Whether `ctx["now"]` is business time in `calendar`, worked out once per context."""
    inside = memo.get(id(calendar))
    if inside is None:
        inside = memo[id(calendar)] = calendar.is_business_time(ctx["now"].replace(tzinfo=UTC))
    return inside


class _Source:
    """The Python source of one function over a context, built from conditions. The source holds
    only names it made up (`f0`, `c3`) and operators: every field name and value the conditions
    name is a constant in the function's globals, so no input of an admin is ever code."""

    def __init__(self, calendars: dict) -> None:
        self.calendars = calendars
        self.constants: dict[str, object] = {}
        self.fields: dict[str, int] = {}  # field -> its variable's number
        self.texts: set[int] = set()  # fields read as text (contains): `s<n>`
        self.numbers: set[int] = set()  # fields compared as numbers: `n<n>`

    def constant(self, value) -> str:
        name = f"c{len(self.constants)}"
        self.constants[name] = value
        return name

    def field(self, name: str) -> int:
        return self.fields.setdefault(name, len(self.fields))

    def _equal(self, field: str, value) -> str:
        c = self.constant(value)
        alias = NAMED.get(field)
        return f"(f{self.field(field)} == {c} or f{self.field(alias)} == {c})" if alias else f"f{self.field(field)} == {c}"

    def _among(self, field: str, values: list) -> str:
        c = self.constant(frozenset(values))
        alias = NAMED.get(field)
        return f"(f{self.field(field)} in {c} or f{self.field(alias)} in {c})" if alias else f"f{self.field(field)} in {c}"

    def expression(self, condition: dict) -> str:
        """One condition as a Python expression over the function's variables."""
        field, op, value = condition["field"], condition["op"], condition["value"]
        if op in ("during", "outside"):
            calendar = self.calendars.get(value)
            if calendar is None:
                return "False"
            inside = f"_inside(hours, {self.constant(calendar)}, ctx)"
            return inside if op == "during" else f"not {inside}"
        if field == "text" and op in ("in", "is"):
            op = "contains"  # words in a text: the only sensible reading
            value = [str(v).lower() for v in (value if isinstance(value, list) else [value])]
        if field == "tags" and op in ("in", "is", "contains"):
            op, value = "includes", [str(v).lower() for v in (value if isinstance(value, list) else [value])]
        if op in ("is", "is_not"):
            positive = self._equal(field, value)
        elif op in ("in", "not_in"):
            positive = self._among(field, value)
        elif op in ("contains", "not_contains"):
            number = self.field(field)
            self.texts.add(number)
            positive = "(" + " or ".join(f"{self.constant(word)} in s{number}" for word in value) + ")" if value else "False"
        elif op in ("includes", "excludes"):
            positive = f"not {self.constant(frozenset(value))}.isdisjoint(f{self.field(field)} or ())"
        elif op in ("gt", "gte", "lt", "lte"):
            number = self.field(field)
            self.numbers.add(number)
            sign = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[op]
            return f"(n{number} is not None and n{number} {sign} {self.constant(float(value))})"
        elif op in ("present", "absent"):
            test = f"f{self.field(field)} in EMPTY"
            return test if op == "absent" else f"not {test}"
        else:
            raise ConditionError("op", _("unknown operator %(op)s", op=repr(op)))
        return f"not {positive}" if op in ("is_not", "not_in", "not_contains", "excludes") else positive

    def match(self, match_all: list, match_any: list) -> str:
        """True when every `match_all` condition holds and, if there are any, one of `match_any`."""
        parts = [f"({self.expression(c)})" for c in match_all]
        if match_any:
            parts.append("(" + " or ".join(f"({self.expression(c)})" for c in match_any) + ")")
        return " and ".join(parts) or "True"

    def function(self, body: list[str]) -> Callable:
        head = ["def evaluate(ctx):", "    get = ctx.get", "    hours = {}"]
        for name, number in self.fields.items():
            head.append(f"    f{number} = get({self.constant(name)})")
            if number in self.texts:
                head.append(f"    s{number} = f{number} or ''")
            if number in self.numbers:
                head.append(f"    n{number} = _number(f{number})")
        namespace = {"EMPTY": EMPTY, "_number": _number, "_inside": _inside} | self.constants
        exec(compile("\n".join(head + body), "<conditions>", "exec"), namespace)  # noqa: S102 (see _Source)
        return namespace["evaluate"]  # type: ignore[return-value]


def compile_all(entries: list[tuple[list, list, bool]], calendars: dict) -> Callable[[dict], list[int]]:
    """One function for conditions in order, `entries` being (match_all, match_any, stop) each:
    it returns the positions of the entries that hold for a context, in order, up to the first
    that holds and stops. Each field is looked up once per call and each business-hours calendar
    asked at most once, however many conditions name them (200 triggers of an event: ~20 µs).
    `calendars` maps SLA calendar ids to `sla.BusinessCalendar` for business-hours conditions."""
    source = _Source(calendars)
    body = ["    found = []"]
    for position, (match_all, match_any, stop) in enumerate(entries):
        body += [f"    if {source.match(match_all, match_any)}:", f"        found.append({position})"]
        if stop:
            body.append("        return found")
    return source.function(body + ["    return found"])


def compile_match(match_all: list, match_any: list, calendars: dict) -> Check:
    """True when every `match_all` condition holds and, if there are any, one of `match_any`."""
    source = _Source(calendars)
    return source.function([f"    return bool({source.match(match_all, match_any)})"])
