"""Reading the SLA admin forms into the arguments of `services.sla.config`, and back for display."""

from __future__ import annotations

import re

from helpdesk.i18n import gettext as _
from helpdesk.services.sla.config import DAYS, TARGET_KINDS, SlaConfigError
from helpdesk.web.common import BadInput, optional_int

_DURATION = re.compile(r"(\d+)\s*([dhms])")
_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(text: str, field: str) -> int | None:
    """Seconds from "4h", "1h 30m", "2d", "45s" or a bare number of minutes; None when empty."""
    text = (text or "").strip().lower()
    if not text:
        return None
    if text.isdigit():
        return int(text) * 60
    if _DURATION.sub("", text).strip():
        raise BadInput(field, _("%(text)s is not a duration like 4h, 1h 30m, 2d or 45s", text=repr(text)))
    return sum(int(amount) * _UNITS[unit] for amount, unit in _DURATION.findall(text))


def format_duration(seconds: int) -> str:
    """"1h 30m" for 5400: the largest units first, zero parts left out."""
    parts = []
    for unit, size in _UNITS.items():
        amount, seconds = divmod(seconds, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return " ".join(parts) or "0s"


def _listed(text: str) -> list[str]:
    return [part for part in re.split(r"[\s,;]+", text or "") if part]


def calendar_fields(form) -> dict:
    """Keyword arguments for `sla_config.save_calendar` from the calendar form."""
    half_days: dict[str, str] = {}
    for number, line in enumerate((form.get("half_days") or "").splitlines(), 1):
        if line.strip():
            day, _sep, hours = line.strip().partition(" ")
            if not hours.strip():
                raise SlaConfigError("half_days", _("line %(number)s: write a date and its hours, e.g. 2026-12-24 09:00-13:00", number=number))
            half_days[day] = hours
    return {
        "name": form.get("name", ""),
        "timezone": (form.get("timezone") or "").strip(),
        "hours": {day: form.get(f"hours_{day}", "") for day in DAYS},
        "country": form.get("country"),
        "subdivision": form.get("subdivision"),
        "holidays": _listed(form.get("holidays", "")),
        "half_days": half_days,
    }


def _target(form, kind: str) -> dict | None:
    goal = parse_duration(form.get(f"{kind}_goal", ""), f"{kind}_goal")
    if goal is None:
        return None
    try:
        percent = float(form.get(f"{kind}_warning") or 80)
    except ValueError:
        raise BadInput(f"{kind}_warning", _("must be a percentage")) from None
    return {"kind": kind, "goal_seconds": goal, "business_time": form.get(f"{kind}_business") == "1",
            "pause_statuses": form.getlist(f"{kind}_pause"), "warning_fraction": percent / 100}


def _escalation(form, crossing: str) -> dict:
    return {"priority": form.get(f"{crossing}_priority") or None,
            "group_id": optional_int(form.get(f"{crossing}_group_id"), f"{crossing}_group_id"),
            "assignee_id": optional_int(form.get(f"{crossing}_assignee_id"), f"{crossing}_assignee_id")}


def policy_fields(form) -> dict:
    """Keyword arguments for `sla_config.save_policy` from the policy form."""
    return {
        "name": form.get("name", ""),
        "position": optional_int(form.get("position"), "position") or 1,
        "active": form.get("active") == "1",
        "calendar_id": optional_int(form.get("calendar_id"), "calendar_id"),
        "conditions": {"priorities": form.getlist("priorities"), "tiers": form.getlist("tiers"),
                       "groups": [optional_int(g, "groups") for g in form.getlist("groups")],
                       "channels": _listed(form.get("channels", ""))},
        "targets": [t for t in (_target(form, kind) for kind in TARGET_KINDS) if t is not None],
        "escalations": {c: _escalation(form, c) for c in ("warning", "breached")},
        "email_supervisors": form.get("email_supervisors") == "1",
    }
