"""SLA settings: validate and store business calendars and policies, turn them into `sla` objects,
and preview what a policy would promise.

Every change commits and then publishes `sla.config_changed`; the jobs subscriber recomputes the
open tickets in the background (see `services.sla.recompute`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holiday_data
from sqlalchemy import select

import sla
from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Group, SlaCalendar, SlaPolicyConfig, SlaRecompute, User
from helpdesk.models.base import utcnow
from helpdesk.models.customers import TIERS
from helpdesk.models.tickets import PRIORITIES, STATUSES
from helpdesk.services import events, settings_cache

DAYS = sla.hours.DAY_NAMES
TARGET_KINDS = tuple(kind.value for kind in sla.TargetKind)
CROSSINGS = ("warning", "breached")
GOAL_MAX = timedelta(days=365)
NAME_MAX = 100


class SlaConfigError(ValueError):
    """A calendar or policy that cannot be saved; `field` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class SlaNotFound(LookupError):
    """No calendar or policy with that id."""


# -- calendars ------------------------------------------------------------------------------------


def _name(value: str | None) -> str:
    name = " ".join((value or "").split())
    if not 1 <= len(name) <= NAME_MAX:
        raise SlaConfigError("name", _("must be 1 to %(name_max)s characters", name_max=NAME_MAX))
    return name


def _timezone(value: str | None) -> str:
    try:
        ZoneInfo(value or "")
    except (ZoneInfoNotFoundError, ValueError):
        raise SlaConfigError("timezone", _("%(value)s is not a time zone (e.g. Europe/Madrid)", value=repr(value))) from None
    return str(value)


def _hours(spec: Mapping[str, object]) -> dict[str, list[str]]:
    try:
        weekly = sla.parse_weekly({str(key): _spec(value) for key, value in (spec or {}).items()})
    except ValueError as exc:
        raise SlaConfigError("hours", str(exc)) from None
    return {day: [str(w) for w in windows] for day, windows in zip(DAYS, weekly, strict=True)}


def _spec(value: object) -> str | list[str]:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Iterable):
        return [str(part) for part in value]
    raise ValueError(f"opening hours are text like '09:00-17:00', not {value!r}")


def _date(value: object, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise SlaConfigError(field, _("%(value)s is not a date (YYYY-MM-DD)", value=repr(value))) from None


def _half_days(spec: Mapping[object, object]) -> dict[str, list[str]]:
    clean: dict[str, list[str]] = {}
    for day, hours in (spec or {}).items():
        try:
            windows = sla.parse_windows(_spec(hours))
        except ValueError as exc:
            raise SlaConfigError("half_days", str(exc)) from None
        clean[_date(day, "half_days").isoformat()] = [str(w) for w in windows]
    return clean


def _region(country: str | None, subdivision: str | None) -> tuple[str | None, str | None]:
    country = (country or "").strip().upper() or None
    subdivision = (subdivision or "").strip().upper() or None
    if country is None:
        if subdivision:
            raise SlaConfigError("subdivision", _("needs a country"))
        return None, None
    if country not in holiday_data.list_supported_countries():
        raise SlaConfigError("country", _("%(country)s is not a country the holidays package knows", country=repr(country)))
    try:
        holiday_data.country_holidays(country, subdiv=subdivision, years=[])
    except NotImplementedError:
        raise SlaConfigError("subdivision", _("%(subdivision)s is not a subdivision of %(country)s", subdivision=repr(subdivision), country=country)) from None
    return country, subdivision


def save_calendar(calendar: SlaCalendar | None, *, name: str, timezone: str, hours: Mapping[str, object],
                  country: str | None = None, subdivision: str | None = None, holidays: Iterable[object] = (),
                  half_days: Mapping[object, object] | None = None) -> SlaCalendar:
    """Create (`calendar` None) or replace a calendar after validating every field; commits and
    publishes `sla.config_changed`. SlaConfigError names the first bad field."""
    name = _name(name)
    clash = db.session.scalar(select(SlaCalendar.id).where(SlaCalendar.name == name))
    if clash is not None and (calendar is None or clash != calendar.id):
        raise SlaConfigError("name", _("is already taken"))
    row = calendar or SlaCalendar()
    row.name, row.timezone, row.hours = name, _timezone(timezone), _hours(hours)
    row.country, row.subdivision = _region(country, subdivision)
    row.holidays = sorted({_date(day, "holidays").isoformat() for day in holidays or ()})
    row.half_days = _half_days(half_days or {})
    row.updated_at = utcnow()
    db.session.add(row)
    db.session.flush()
    _changed(f"calendar {row.name} saved")
    return row


def delete_calendar(calendar: SlaCalendar) -> None:
    """Delete a calendar no policy uses; SlaConfigError('calendar') otherwise."""
    users = db.session.scalars(select(SlaPolicyConfig.name).where(SlaPolicyConfig.calendar_id == calendar.id)).all()
    if users:
        raise SlaConfigError("calendar", _("is used by the policies %(sorted)s", sorted=sorted(users)))
    name = calendar.name
    db.session.delete(calendar)
    _changed(f"calendar {name} deleted")


def calendars() -> list[SlaCalendar]:
    """Every calendar, by name."""
    return list(db.session.scalars(select(SlaCalendar).order_by(SlaCalendar.name)))


# -- policies -------------------------------------------------------------------------------------


def _choices(values: Iterable[object] | None, allowed: Iterable[str], field: str) -> list[str]:
    chosen = sorted({str(v).strip() for v in values or () if str(v).strip()})
    if bad := set(chosen) - set(allowed):
        raise SlaConfigError(field, _("unknown value(s) %(sorted)s; choose among %(sorted2)s", sorted=sorted(bad), sorted2=sorted(allowed)))
    return chosen


def _ids(values: Iterable[object] | None, field: str, model=None) -> list[int]:
    try:
        ids = sorted({int(v) for v in values or ()})
    except (TypeError, ValueError):
        raise SlaConfigError(field, _("must be a list of ids")) from None
    if model is not None and ids:
        found = set(db.session.scalars(select(model.id).where(model.id.in_(ids))))
        if missing := set(ids) - found:
            raise SlaConfigError(field, _("no such id(s) %(sorted)s", sorted=sorted(missing)))
    return ids


def _conditions(spec: Mapping[str, object]) -> dict:
    from helpdesk.models import Organization

    spec = dict(spec or {})
    if unknown := set(spec) - {"priorities", "tiers", "channels", "groups", "organizations"}:
        raise SlaConfigError("conditions", _("unknown key(s) %(sorted)s", sorted=sorted(unknown)))
    channels = sorted({str(c).strip().lower() for c in spec.get("channels") or () if str(c).strip()})
    return {
        "priorities": _choices(spec.get("priorities"), PRIORITIES, "conditions.priorities"),
        "tiers": _choices(spec.get("tiers"), TIERS, "conditions.tiers"),
        "channels": channels,
        "groups": _ids(spec.get("groups"), "conditions.groups", Group),
        "organizations": _ids(spec.get("organizations"), "conditions.organizations", Organization),
    }


def _target(spec: Mapping[str, object], index: int) -> dict:
    field = f"targets.{index}"
    kind = spec.get("kind")
    if kind not in TARGET_KINDS:
        raise SlaConfigError(f"{field}.kind", _("must be one of %(list)s", list=list(TARGET_KINDS)))
    try:
        goal = int(spec.get("goal_seconds"))  # type: ignore[arg-type]
        fraction = float(spec.get("warning_fraction", 0.8))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise SlaConfigError(field, _("goal_seconds is a whole number and warning_fraction a number")) from None
    if not 0 < goal <= GOAL_MAX.total_seconds():
        raise SlaConfigError(f"{field}.goal_seconds", _("must be 1 to %(int)s seconds", int=int(GOAL_MAX.total_seconds())))
    if not 0 < fraction <= 1:
        raise SlaConfigError(f"{field}.warning_fraction", _("must be more than 0 and at most 1"))
    pauses = _choices(spec.get("pause_statuses"), [s for s in STATUSES if s not in ("solved", "closed")],
                      f"{field}.pause_statuses")
    return {"kind": kind, "goal_seconds": goal, "business_time": bool(spec.get("business_time", True)),
            "pause_statuses": pauses, "warning_fraction": fraction}


def _targets(specs: Iterable[Mapping[str, object]]) -> list[dict]:
    targets = [_target(spec, i) for i, spec in enumerate(specs or ())]
    if not targets:
        raise SlaConfigError("targets", _("a policy needs at least one target"))
    kinds = [t["kind"] for t in targets]
    if len(set(kinds)) != len(kinds):
        raise SlaConfigError("targets", _("at most one target of each kind"))
    return sorted(targets, key=lambda t: TARGET_KINDS.index(t["kind"]))


def _escalations(spec: Mapping[str, object]) -> dict:
    clean: dict = {}
    for crossing, actions in (spec or {}).items():
        if crossing not in CROSSINGS:
            raise SlaConfigError("escalations", _("unknown crossing %(crossing)s; use %(list)s", crossing=repr(crossing), list=list(CROSSINGS)))
        actions = dict(actions or {})  # type: ignore[call-overload]
        if unknown := set(actions) - {"priority", "group_id", "assignee_id"}:
            raise SlaConfigError(f"escalations.{crossing}", _("unknown action(s) %(sorted)s", sorted=sorted(unknown)))
        priority = actions.get("priority") or None
        if priority is not None and priority not in PRIORITIES:
            raise SlaConfigError(f"escalations.{crossing}.priority", _("must be one of %(list)s", list=list(PRIORITIES)))
        group = _ids([actions["group_id"]] if actions.get("group_id") else [], f"escalations.{crossing}.group_id", Group)
        user = _ids([actions["assignee_id"]] if actions.get("assignee_id") else [],
                    f"escalations.{crossing}.assignee_id", User)
        chosen = {"priority": priority, "group_id": group[0] if group else None,
                  "assignee_id": user[0] if user else None}
        if any(v is not None for v in chosen.values()):
            clean[crossing] = chosen
    return clean


def save_policy(policy: SlaPolicyConfig | None, *, name: str, targets: Iterable[Mapping[str, object]],
                calendar_id: int | None = None, conditions: Mapping[str, object] | None = None,
                escalations: Mapping[str, object] | None = None, position: int = 1, active: bool = True,
                email_supervisors: bool = False) -> SlaPolicyConfig:
    """Create (`policy` None) or replace a policy after validating every field; commits and
    publishes `sla.config_changed`. SlaConfigError names the first bad field."""
    name = _name(name)
    clash = db.session.scalar(select(SlaPolicyConfig.id).where(SlaPolicyConfig.name == name))
    if clash is not None and (policy is None or clash != policy.id):
        raise SlaConfigError("name", _("is already taken"))
    clean_targets = _targets(targets)
    if calendar_id is not None and db.session.get(SlaCalendar, calendar_id) is None:
        raise SlaConfigError("calendar_id", _("no calendar %(calendar_id)s", calendar_id=calendar_id))
    if calendar_id is None and any(t["business_time"] for t in clean_targets):
        raise SlaConfigError("calendar_id", _("business-time targets need a calendar"))
    if not isinstance(position, int) or not 1 <= position <= 10_000:
        raise SlaConfigError("position", _("must be 1 to 10000"))
    row = policy or SlaPolicyConfig()
    row.name, row.position, row.active, row.calendar_id = name, position, bool(active), calendar_id
    row.conditions, row.targets = _conditions(conditions or {}), clean_targets
    row.escalations, row.email_supervisors = _escalations(escalations or {}), bool(email_supervisors)
    row.updated_at = utcnow()
    db.session.add(row)
    db.session.flush()
    _changed(f"policy {row.name} saved")
    return row


def delete_policy(policy: SlaPolicyConfig) -> None:
    """Delete a policy; tickets it covered fall to the next matching one at the recomputation."""
    name = policy.name
    db.session.delete(policy)
    _changed(f"policy {name} deleted")


def policies() -> list[SlaPolicyConfig]:
    """Every policy, in the order they are tried."""
    return list(db.session.scalars(select(SlaPolicyConfig).order_by(SlaPolicyConfig.position, SlaPolicyConfig.id)))


def _changed(reason: str) -> None:
    """Commit a settings change with a queued recomputation of the open tickets, then announce it."""
    recompute = SlaRecompute(reason=reason[:200], state="queued")
    db.session.add(recompute)
    db.session.flush()
    payload = {"reason": reason, "recompute_id": recompute.id}  # read before commit: no snapshot held open
    db.session.commit()
    events.publish("sla.config_changed", payload)


# -- into the pure objects ------------------------------------------------------------------------

_cache_lock = threading.Lock()
_calendar_cache: dict[tuple[int, datetime], sla.BusinessCalendar] = {}


def calendar_of(row: SlaCalendar) -> sla.BusinessCalendar:
    """The `sla.BusinessCalendar` of a stored calendar, cached per version (its year tables are costly)."""
    key = (row.id, row.updated_at)
    with _cache_lock:
        found = _calendar_cache.get(key)
    if found is None:
        found = sla.BusinessCalendar.from_hours(
            row.timezone, row.hours or {}, country=row.country, subdivision=row.subdivision,
            holidays=[date.fromisoformat(d) for d in row.holidays or ()],
            half_days={date.fromisoformat(d): w for d, w in (row.half_days or {}).items()},
        )
        with _cache_lock:
            _calendar_cache[key] = found
    return found


def policy_of(row: SlaPolicyConfig, calendar: SlaCalendar | None) -> sla.SlaPolicy:
    """The `sla.SlaPolicy` of a stored policy; its id is the row id as text."""
    c = row.conditions or {}
    targets = tuple(
        sla.Target(kind=sla.TargetKind(t["kind"]), goal=timedelta(seconds=t["goal_seconds"]),
                   business_time=t["business_time"] and calendar is not None,
                   pause_statuses=frozenset(t["pause_statuses"]), warning_fraction=t["warning_fraction"])
        for t in row.targets or ()
    )
    conditions = sla.Conditions(
        priorities=frozenset(c.get("priorities", ())), tiers=frozenset(c.get("tiers", ())),
        channels=frozenset(c.get("channels", ())), groups=frozenset(str(g) for g in c.get("groups", ())),
        organizations=frozenset(str(o) for o in c.get("organizations", ())),
    )
    return sla.SlaPolicy(id=str(row.id), name=row.name, targets=targets, conditions=conditions,
                         calendar=calendar_of(calendar) if calendar is not None else None)


@dataclass(frozen=True)
class PolicySet:
    """The active policies, in order, as `sla` objects, with their stored rows by id."""

    policies: tuple[sla.SlaPolicy, ...]
    rows: dict[int, SlaPolicyConfig]


def any_active_policy() -> bool:
    """True when at least one SLA policy is active: from the cached active set when it is current
    (as the committed settings token says; no read in the caller's session), else one index probe."""
    known, policies = settings_cache.peek("sla_policies")
    if known:
        return bool(policies.policies)
    return db.session.scalar(select(SlaPolicyConfig.id).where(SlaPolicyConfig.active).limit(1)) is not None


def _load_active_policies() -> PolicySet:
    # Core rows made into transient objects: the cached set outlives every session.
    rows = [SlaPolicyConfig(**row) for row in db.session.execute(
        select(SlaPolicyConfig.__table__).where(SlaPolicyConfig.active)
        .order_by(SlaPolicyConfig.position, SlaPolicyConfig.id)).mappings()]
    ids = {r.calendar_id for r in rows} - {None}
    cals = ({row["id"]: SlaCalendar(**row) for row in db.session.execute(
        select(SlaCalendar.__table__).where(SlaCalendar.id.in_(ids))).mappings()} if ids else {})
    return PolicySet(tuple(policy_of(r, cals.get(r.calendar_id)) for r in rows), {r.id: r for r in rows})


def active_policies() -> PolicySet:
    """The active policies, cached per settings revision (see services.settings_cache)."""
    return settings_cache.cached("sla_policies", _load_active_policies)


# -- preview --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    """What a ticket with `facts`, created at `at`, would be promised: the policy and its due times."""

    at: datetime
    facts: sla.TicketFacts
    policy: SlaPolicyConfig | None
    due: dict[str, datetime]


def preview(facts: sla.TicketFacts, at: datetime | None = None) -> Preview:
    """Which active policy a ticket with `facts` created at `at` (default now) gets, and when each
    target falls due if nothing pauses it (next response: counted from `at` as well)."""
    at = at or utcnow()
    chosen = sla.select_policy(active_policies().policies, facts)
    if chosen is None:
        return Preview(at, facts, None, {})
    due = {kind.value: chosen.due(kind, at) for kind in sla.TargetKind if chosen.target(kind) is not None}
    return Preview(at, facts, db.session.get(SlaPolicyConfig, int(chosen.id)),
                   {kind: when.replace(tzinfo=None) for kind, when in due.items() if when is not None})


def facts_for(priority: str | None = None, tier: str | None = None, channel: str | None = None,
              group_id: int | None = None, organization_id: int | None = None) -> sla.TicketFacts:
    """TicketFacts as policies see them (groups and organizations by id); SlaConfigError on unknown values."""
    if priority is not None and priority not in PRIORITIES:
        raise SlaConfigError("priority", _("must be one of %(list)s", list=list(PRIORITIES)))
    if tier is not None and tier not in TIERS:
        raise SlaConfigError("tier", _("must be one of %(list)s", list=list(TIERS)))
    return sla.TicketFacts(priority=priority, tier=tier, channel=channel,
                           group=str(group_id) if group_id is not None else None,
                           organization=str(organization_id) if organization_id is not None else None)
