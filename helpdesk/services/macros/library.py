"""Which macros a staff member sees and manages, and their creation, change and deletion.

Personal macros belong to their owner; group macros are seen by the group's members, shared ones
by everyone. Admins and supervisors see and manage every group and shared macro; agents manage
only their own personal ones.
"""

from __future__ import annotations

from sqlalchemy import Select, and_, or_, select

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Group, Macro, User
from helpdesk.models.base import utcnow
from helpdesk.models.macros import SCOPES
from helpdesk.models.tickets import PRIORITIES, STATUSES
from helpdesk.services.macros.text import LANGUAGE
from helpdesk.services.replies import BODY_MAX
from helpdesk.services.tickets import MAX_ID, TicketError, normalise_tags
from helpdesk.services.transactions import begin_write

NAME_MAX = 200
ACTION_FIELDS = ("status", "priority", "group_id", "assignee_id", "assign_to_me", "add_tags", "remove_tags", "note")


class MacroError(TicketError):
    """A macro that cannot be stored or applied; `field` names the offending input."""


class MacroNotFound(LookupError):
    """No such macro, or not one this user may see (indistinguishable on purpose)."""


def visible_to(user: User) -> Select:
    """Macros `user` may see and apply."""
    mine = and_(Macro.scope == "personal", Macro.owner_id == user.id)
    if user.sees_all_groups:
        return select(Macro).where(or_(mine, Macro.scope.in_(("group", "shared"))))
    groups = and_(Macro.scope == "group", Macro.group_id.in_(user.group_ids or [-1]))
    return select(Macro).where(or_(mine, groups, Macro.scope == "shared"))


def can_manage(user: User, macro: Macro) -> bool:
    """True when `user` may change or delete `macro`."""
    if macro.scope == "personal":
        return macro.owner_id == user.id
    return user.sees_all_groups


def get_for(user: User, macro_id: int) -> Macro:
    """The macro if `user` may see it; MacroNotFound otherwise."""
    if not 0 < macro_id <= MAX_ID:
        raise MacroNotFound(macro_id)
    macro = db.session.scalar(visible_to(user).where(Macro.id == macro_id))
    if macro is None:
        raise MacroNotFound(macro_id)
    return macro


def search(user: User, q: str = "", *, limit: int = 50) -> list[Macro]:
    """Macros `user` sees whose name contains `q`, the most used first."""
    query = visible_to(user)
    words = (q or "").strip()[:100]
    if words:
        query = query.where(Macro.name.ilike("%" + words.replace("%", "").replace("_", "") + "%"))
    return list(db.session.scalars(query.order_by(Macro.usage_count.desc(), Macro.name, Macro.id).limit(limit)))


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def _clean_actions(actions: dict) -> dict:
    if not isinstance(actions, dict):
        raise MacroError("actions", _("must be an object"))
    if unknown := set(actions) - set(ACTION_FIELDS):
        raise MacroError("actions", _("unknown action(s) %(sorted)s", sorted=sorted(unknown)))
    clean: dict = {}
    if actions.get("status") is not None:
        if actions["status"] not in STATUSES:
            raise MacroError("actions.status", _("must be one of %(list)s", list=list(STATUSES)))
        clean["status"] = actions["status"]
    if actions.get("priority") is not None:
        if actions["priority"] not in PRIORITIES:
            raise MacroError("actions.priority", _("must be one of %(list)s", list=list(PRIORITIES)))
        clean["priority"] = actions["priority"]
    if actions.get("group_id") is not None:
        if not _is_id(actions["group_id"]) or db.session.get(Group, actions["group_id"]) is None:
            raise MacroError("actions.group_id", _("no group %(group_id)s", group_id=actions['group_id']))
        clean["group_id"] = actions["group_id"]
    if "assignee_id" in actions:  # null: unassign
        assignee = actions["assignee_id"]
        if assignee is not None:
            person = db.session.get(User, assignee) if _is_id(assignee) else None
            if person is None or not person.active:
                raise MacroError("actions.assignee_id", _("no active user %(assignee)s", assignee=assignee))
        clean["assignee_id"] = assignee
    if actions.get("assign_to_me"):
        if "assignee_id" in clean:
            raise MacroError("actions.assign_to_me", _("give either assignee_id or assign_to_me"))
        clean["assign_to_me"] = True
    for name in ("add_tags", "remove_tags"):
        if actions.get(name):
            try:
                clean[name] = normalise_tags(list(actions[name]))
            except TicketError as exc:
                raise MacroError(f"actions.{name}", exc.message) from None
    note = (actions.get("note") or "").strip()
    if len(note) > BODY_MAX:
        raise MacroError("actions.note", _("must be at most %(body_max)s characters", body_max=BODY_MAX))
    if note:
        clean["note"] = note
    return clean


def _clean_translations(translations: dict) -> dict:
    if not isinstance(translations, dict):
        raise MacroError("translations", _("must map language codes to texts"))
    clean = {}
    for language, text in translations.items():
        code = str(language).strip().lower().replace("_", "-")
        if not LANGUAGE.match(code):
            raise MacroError("translations", _("%(language)s is not a language code like 'es' or 'pt-br'", language=repr(language)))
        if not isinstance(text, str) or len(text) > BODY_MAX:
            raise MacroError("translations", _("the %(code)s text must be at most %(body_max)s characters", code=code, body_max=BODY_MAX))
        if text.strip():
            clean[code] = text
    return clean


def _place(user: User, scope: str, group_id: int | None) -> tuple[int | None, int | None]:
    """(owner_id, group_id) for a macro of `scope` that `user` makes; MacroError if not theirs to make."""
    if scope not in SCOPES:
        raise MacroError("scope", _("must be one of %(list)s", list=list(SCOPES)))
    if scope == "personal":
        return user.id, None
    if not user.sees_all_groups:
        raise MacroError("scope", _("only admins and supervisors manage group and shared macros"))
    if scope == "shared":
        return None, None
    if not _is_id(group_id) or db.session.get(Group, group_id) is None:
        raise MacroError("group_id", _("a group macro needs an existing group"))
    return None, group_id


def save(user: User, data: dict, macro: Macro | None = None) -> Macro:
    """Create a macro from `data` (name, body, translations, actions, scope, group_id), or change
    `macro` with the fields `data` holds; commit. MacroError on invalid input or a scope `user` may
    not manage."""
    if macro is not None and not can_manage(user, macro):
        raise MacroError("scope", _("only admins and supervisors manage group and shared macros"))
    begin_write()
    target = macro or Macro(usage_count=0, created_at=utcnow())
    if macro is None or "name" in data:
        name = " ".join(str(data.get("name") or "").split())
        if not 1 <= len(name) <= NAME_MAX:
            raise MacroError("name", _("must be 1 to %(name_max)s characters", name_max=NAME_MAX))
        target.name = name
    if "body" in data or macro is None:
        body = data.get("body") or ""
        if len(body) > BODY_MAX:
            raise MacroError("body", _("must be at most %(body_max)s characters", body_max=BODY_MAX))
        target.body = body
    if "translations" in data or macro is None:
        target.translations = _clean_translations(data.get("translations") or {})
    if "actions" in data or macro is None:
        target.actions = _clean_actions(data.get("actions") or {})
    if "scope" in data or "group_id" in data or macro is None:
        scope = data.get("scope", target.scope or "personal")
        target.scope = scope
        target.owner_id, target.group_id = _place(user, scope, data.get("group_id", target.group_id))
    if not (target.body.strip() or target.translations or target.actions):
        raise MacroError("body", _("a macro needs a reply text or at least one action"))
    target.updated_at = utcnow()
    db.session.add(target)
    db.session.commit()
    return target


def delete(user: User, macro: Macro) -> None:
    """Delete `macro`; MacroError when `user` may not manage it."""
    if not can_manage(user, macro):
        raise MacroError("scope", _("only admins and supervisors manage group and shared macros"))
    begin_write()
    db.session.delete(macro)
    db.session.commit()
