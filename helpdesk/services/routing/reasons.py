"""Routing's lines in a ticket's timeline, in the reader's language.

A routing event stores what happened as a code and its values (`data`: `action`, the agent's
`name`, the strategy's `why` as strategies.py builds it, `seconds` of an offer, the `kind` of work)
and, for API clients and older readers, the English sentence as `text`. `describe(data)` writes
the sentence in the current language; rows stored before the codes (only `text`) read as stored.
"""

from __future__ import annotations

from helpdesk.i18n import gettext as _
from helpdesk.i18n import in_language, ngettext
from helpdesk.i18n.labels import work_word


def _load(load: list) -> str:
    return ", ".join(f"{work_word(kind)} {used}/{capacity}" for kind, used, capacity in load)


def _skills(why: dict) -> str:
    needs = ", ".join(why.get("needs") or [])
    parts = [_("skills: needs %(skills)s", skills=needs) if needs else _("skills: needs no particular skill")]
    if why.get("partial"):
        parts.append(_("nobody available has them all, best partial match"))
    levels = [_("%(skill)s level %(level)s", skill=skill, level=level) for skill, level in why.get("levels") or []]
    parts.append("; ".join(levels) or _("any agent"))
    parts.append(_("load %(load)s", load=_load(why.get("load") or [])))
    if "recent" in why:
        parts.append(_("recent work %(recent)s min (this shift %(minutes)s min)", recent=why["recent"],
                       minutes=why.get("minutes", 0)))
    else:  # stored before routing evened out recent work
        parts.append(_("work taken this shift %(minutes)s min", minutes=why.get("minutes", 0)))
    return "; ".join(parts)


def strategy_words(why: dict | str) -> str:
    """Why a strategy chose an agent (strategies.Choice.reason)."""
    if isinstance(why, str):
        return why
    strategy, available = why.get("strategy"), why.get("available", 0)
    if strategy == "round_robin":
        return ngettext("round robin: longest without new work of %(num)d available agent under capacity",
                        "round robin: longest without new work of %(num)d available agents under capacity", available)
    if strategy == "least_loaded":
        return ngettext("least loaded: %(percent)s%% of capacity in use (%(load)s) of %(num)d available agent",
                        "least loaded: %(percent)s%% of capacity in use (%(load)s) of %(num)d available agents",
                        available, percent=why.get("percent", 0), load=_load(why.get("load") or []))
    if strategy == "skills":
        return _skills(why)
    return str(strategy)


def nobody_words(why: dict | str) -> str:
    """Why nobody may take the work now (strategies.nobody_reason)."""
    if isinstance(why, str):
        return why
    if why.get("code") == "nobody_online":
        return _("no agent of the group is online")
    if why.get("code") == "at_capacity":
        return _("every online agent is at capacity for %(kind)s", kind=work_word(why.get("kind")))
    return _("no online agent under capacity has the skills %(skills)s", skills=", ".join(why.get("skills") or []))


def describe(data: dict) -> str:
    """The routing event `data` as a sentence in the current language."""
    action, name, kind = data.get("action"), data.get("name"), work_word(data.get("kind"))
    if "why" not in data and "name" not in data:
        return str(data.get("text", "routing"))  # stored before the codes: English as it was written
    if action == "assigned":
        return _("assigned automatically to %(name)s: %(why)s", name=name, why=strategy_words(data["why"]))
    if action == "offered":
        return _("offered to %(name)s for %(seconds)s s: %(why)s", name=name, seconds=data.get("seconds"),
                 why=strategy_words(data["why"]))
    if action == "waiting":
        return _("waits in the queue: %(why)s", why=nobody_words(data["why"]))
    if action == "accepted":
        return _("%(name)s accepted the offered %(kind)s", name=name, kind=kind)
    if action == "declined":
        return _("%(name)s declined the offered %(kind)s; offering it to the next agent", name=name, kind=kind)
    if action == "expired":
        return _("the offer to %(name)s expired unanswered; offering it to the next agent", name=name)
    if action == "withdrawn":
        return _("the offer to %(name)s was withdrawn: they went offline; offering it to the next agent", name=name)
    if action == "handed back":
        return _("handed back to the queue: %(name)s went offline", name=name)
    return str(data.get("text", "routing"))


def in_english(data: dict) -> str:
    """The sentence `describe` writes, in English (the event's `text`, for API clients)."""
    with in_language("en"):
        return describe(data)
