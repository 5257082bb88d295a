"""Applying a macro to a ticket: first what it would do (preview), then doing it through the same
services an agent's own change, note and reply go through, so the timeline, events, SLA clocks and
report facts follow exactly as for a change made by hand."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Macro, Ticket, TicketEvent, User
from helpdesk.models.base import utcnow
from helpdesk.services import drafts, replies, tickets
from helpdesk.services.macros.text import fill, reply_for
from helpdesk.services.transactions import begin_write

REPLY_MODES = ("send", "draft")


@dataclass
class MacroResult:
    """What a macro does (or did) to one ticket.

    `reply`: the reply text, filled for this ticket (None when the macro has none); `changes`:
    {field: [old, new]} of the properties it changes; `note`: the internal note it adds;
    `applied`: False for a preview. After applying, `reply_message_id` / `note_message_id` are
    the messages it stored (a reply put in the draft has none)."""

    macro_id: int
    ticket_id: int
    reply: str | None
    changes: dict
    note: str | None
    applied: bool = False
    reply_message_id: int | None = None
    note_message_id: int | None = None


def _changes(macro: Macro, ticket: Ticket, agent: User) -> dict:
    """The property changes `macro` makes on `ticket` as {field: [old, new]}, only real changes."""
    actions = macro.actions or {}
    wanted: dict = {}
    for name in ("status", "priority", "group_id", "assignee_id"):
        if name in actions:
            wanted[name] = actions[name]
    if actions.get("assign_to_me"):
        wanted["assignee_id"] = agent.id
    old = {"status": ticket.status, "priority": ticket.priority_name, "group_id": ticket.group_id,
           "assignee_id": ticket.assignee_id}
    changes = {name: [old[name], new] for name, new in wanted.items() if old[name] != new}
    if actions.get("add_tags") or actions.get("remove_tags"):
        current = ticket.tags
        removed = set(actions.get("remove_tags") or ())
        tags = [t for t in current if t not in removed] + [t for t in actions.get("add_tags") or () if t not in current]
        if set(tags) != set(current):
            changes["tags"] = [current, tags]
    return changes


def preview(ticket: Ticket, macro: Macro, agent: User) -> MacroResult:
    """What applying `macro` to `ticket` as `agent` would do; changes nothing."""
    note = fill(macro.actions.get("note") or "", ticket, agent).strip() if macro.actions else ""
    return MacroResult(macro_id=macro.id, ticket_id=ticket.id, reply=reply_for(macro, ticket, agent) or None,
                       changes=_changes(macro, ticket, agent), note=note or None)


def apply(ticket: Ticket, macro: Macro, agent: User, *, reply_to: str = "send") -> MacroResult:
    """Apply `macro` to `ticket` as `agent`: change the properties, add the note, and send the reply
    (`reply_to="send"`) or put it in the agent's draft for them to review (`"draft"`, what the
    composer does). Counts one use. TicketError / ReplyError before anything is stored when the
    changes are refused (an assignee outside the group, a merged ticket)."""
    if reply_to not in REPLY_MODES:
        raise tickets.TicketError("reply_to", _("must be one of %(list)s", list=list(REPLY_MODES)))
    result = preview(ticket, macro, agent)
    if ticket.merged_into_id is not None:
        raise tickets.TicketError("ticket", _("was merged into #%(merged_into_id)s", merged_into_id=ticket.merged_into_id))
    changes = {name: new for name, (_old, new) in result.changes.items()}
    macro_id, macro_name, agent_id = macro.id, macro.name, agent.id
    if changes:
        tickets.update_ticket(ticket, agent, **changes)
    if result.note:
        result.note_message_id = replies.add_reply(ticket, agent, body=result.note, internal=True).id
    if result.reply and reply_to == "send":
        result.reply_message_id = replies.add_reply(ticket, agent, body=result.reply).id
    elif result.reply:
        drafts.save(ticket, agent, body=result.reply)
    begin_write()
    db.session.execute(update(Macro).where(Macro.id == macro_id).values(usage_count=Macro.usage_count + 1))
    # The timeline says which macro made the changes, note and reply recorded just before.
    db.session.add(TicketEvent(ticket_id=result.ticket_id, actor_id=agent_id, kind="macro_applied",
                               data={"macro_id": macro_id, "name": macro_name}, created_at=utcnow()))
    db.session.commit()
    result.applied = True
    return result

