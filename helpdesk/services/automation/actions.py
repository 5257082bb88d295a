"""What triggers and automations do: validated when saved; property changes folded into one
ticket change (through services.tickets, so audited, published and SLA-clocked like an agent's),
the rest (notify, reply, macro, webhook) done through their own services afterwards.

Actions: `{"type": "set", "field": "status"|"priority"|"group_id", "value": ...}`,
`{"type": "assign", "user_id": id|null, "group_id": id?}`, `{"type": "add_tags"|"remove_tags",
"tags": [...]}`, `{"type": "set_field", "key": custom ticket field, "value": ...}`,
`{"type": "notify", "text": "...", "user_ids": [...]}` (without user ids: the assignee and group),
`{"type": "reply", "body": "..."}` (placeholders as in macros), `{"type": "macro", "macro_id": id}`,
`{"type": "webhook", "webhook_id": id}`.
"""

from __future__ import annotations

from helpdesk.i18n import gettext as _
from helpdesk.models.tickets import PRIORITIES, STATUSES
from helpdesk.services.automation.conditions import ConditionError

TYPES = ("set", "assign", "add_tags", "remove_tags", "set_field", "notify", "reply", "macro", "webhook")
SET_FIELDS = ("status", "priority", "group_id")
# Property changes, folded into one ticket change; the others act after it.
CHANGES = ("set", "assign", "add_tags", "remove_tags", "set_field")
TEXT_MAX = 5000


def _ident(value, at: str, *, nullable: bool = False) -> int | None:
    if value is None and nullable:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConditionError(at, _("must be an id"))
    return value


def _text(value, at: str) -> str:
    text = str(value or "").strip()
    if not 1 <= len(text) <= TEXT_MAX:
        raise ConditionError(at, _("must be 1 to %(text_max)s characters", text_max=TEXT_MAX))
    return text


def _one(action: dict, at: str) -> dict:
    kind = action.get("type")
    if kind not in TYPES:
        raise ConditionError(f"{at}.type", _("must be one of %(list)s", list=list(TYPES)))
    if kind == "set":
        field, value = action.get("field"), action.get("value")
        if field not in SET_FIELDS:
            raise ConditionError(f"{at}.field", _("must be one of %(list)s", list=list(SET_FIELDS)))
        if field == "status" and value not in STATUSES:
            raise ConditionError(f"{at}.value", _("must be one of %(list)s", list=list(STATUSES)))
        if field == "priority" and value not in PRIORITIES:
            raise ConditionError(f"{at}.value", _("must be one of %(list)s", list=list(PRIORITIES)))
        if field == "group_id":
            value = _ident(value, f"{at}.value")
        return {"type": kind, "field": field, "value": value}
    if kind == "assign":
        clean = {"type": kind, "user_id": _ident(action.get("user_id"), f"{at}.user_id", nullable=True)}
        if action.get("group_id") is not None:
            clean["group_id"] = _ident(action.get("group_id"), f"{at}.group_id")
        return clean
    if kind in ("add_tags", "remove_tags"):
        tags = action.get("tags")
        if not isinstance(tags, list) or not tags or not all(isinstance(t, str) and 1 <= len(t.strip()) <= 64 for t in tags):
            raise ConditionError(f"{at}.tags", _("must be a list of 1 to 64 character tags"))
        return {"type": kind, "tags": [" ".join(t.split()).lower() for t in tags]}
    if kind == "set_field":
        key = action.get("key")
        if not isinstance(key, str) or not key:
            raise ConditionError(f"{at}.key", _("must name a ticket custom field"))
        return {"type": kind, "key": key, "value": action.get("value")}
    if kind == "notify":
        users = action.get("user_ids") or []
        return {"type": kind, "text": _text(action.get("text"), f"{at}.text"),
                "user_ids": [_ident(u, f"{at}.user_ids") for u in users]}
    if kind == "reply":
        return {"type": kind, "body": _text(action.get("body"), f"{at}.body")}
    if kind == "macro":
        return {"type": kind, "macro_id": _ident(action.get("macro_id"), f"{at}.macro_id")}
    return {"type": kind, "webhook_id": _ident(action.get("webhook_id"), f"{at}.webhook_id")}


def validate(actions: list) -> list[dict]:
    """`actions` checked and normalised; ConditionError naming `actions[i].<key>`."""
    if not isinstance(actions, list):
        raise ConditionError("actions", _("must be a list of actions"))
    return [_one(action if isinstance(action, dict) else {}, f"actions[{i}]") for i, action in enumerate(actions)]


def fold(actions: list[dict], ticket_state: dict, changes: dict) -> dict:
    """Add the property changes of `actions` to `changes` (the keyword arguments of
    tickets.update_ticket), on top of `ticket_state` ({"tags": [...]}) and earlier changes."""
    for action in actions:
        kind = action["type"]
        if kind == "set":
            changes[action["field"]] = action["value"]
        elif kind == "assign":
            changes["assignee_id"] = action["user_id"]
            if "group_id" in action:
                changes["group_id"] = action["group_id"]
        elif kind in ("add_tags", "remove_tags"):
            tags = list(changes.get("tags", ticket_state["tags"]))
            if kind == "add_tags":
                tags += [t for t in action["tags"] if t not in tags]
            else:
                tags = [t for t in tags if t not in action["tags"]]
            changes["tags"] = tags
        elif kind == "set_field":
            changes.setdefault("custom_fields", {})[action["key"]] = action["value"]
    return changes
