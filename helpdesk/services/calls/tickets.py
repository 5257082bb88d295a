"""Calls onto tickets: a missed call or a voicemail opens (or continues) a ticket of the phone
group through `ingest`, the recording attached; an agent logs an answered call as a new ticket
or as an internal note on an open one, with its duration."""

from __future__ import annotations

from channels.base import Attachment, InboundMessage, Sender
from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Call, ChannelAccount, Group, Ticket, User
from helpdesk.models.base import utcnow
from helpdesk.services import agent_tickets, ingest_rows, replies, tickets
from helpdesk.services.ingest import ingest
from helpdesk.services.tickets import TicketError

NOTE_MAX = 10_000


def _group_name(account: ChannelAccount, call: Call) -> str | None:
    group_id = account.group_id or call.group_id
    group = db.session.get(Group, group_id) if group_id else None
    return group.name if group else None


def _missed_text(call: Call) -> tuple[str, str]:
    why = "the caller hung up while waiting" if call.state == "abandoned" else "nobody answered"
    queue = f" in the {call.queue} queue" if call.queue else ""
    waited = f" after {int((call.ended_at - call.started_at).total_seconds())} s" if call.ended_at else ""
    return (f"Missed call from {call.from_number}",
            f"Missed call from {call.from_number}{queue} at {call.started_at:%Y-%m-%d %H:%M} UTC: {why}{waited}.\n"
            "Call the customer back.")


def _voicemail_text(call: Call, recording: Attachment | None) -> tuple[str, str]:
    attached = "The recording is attached." if recording is not None else "The recording could not be kept."
    return f"Voicemail from {call.from_number}", f"Voicemail from {call.from_number}. {attached}"


def filed(account: ChannelAccount, call_external_id: str, part: str) -> bool:
    """Whether the `part` ("missed", "voicemail") message of a call is on a ticket already."""
    return ingest_rows.stored_message(_source(account), f"call:{call_external_id}:{part}") is not None


def _source(account: ChannelAccount) -> str:
    return f"{account.kind}:{account.id}"


def file_unanswered(account: ChannelAccount, call: Call, kind: str, recording: Attachment | None) -> int | None:
    """The ticket of `call` after its `kind` event: a voicemail (with `recording`) or a call that
    ended unanswered opens or continues the call's ticket through `ingest`, which is idempotent on
    the call and the part, so a redelivery after a failure files what is missing and nothing twice.
    None for a withheld number or an answered call. Commits."""
    if call.from_number is None:
        return call.ticket_id
    if kind == "voicemail":
        part, (subject, body) = "voicemail", _voicemail_text(call, recording)
    elif call.state in ("missed", "abandoned") and not (call.voicemail and call.ticket_id is not None):
        part, (subject, body) = "missed", _missed_text(call)  # after a voicemail, its ticket says it all
    else:
        return call.ticket_id
    result = ingest(InboundMessage(
        channel="phone", source=_source(account), external_id=f"call:{call.external_id}:{part}",
        sender=Sender("phone", call.from_number), subject=subject, body_text=body,
        thread_key=f"call:{call.external_id}", group_hint=_group_name(account, call),
        attachments=(recording,) if recording is not None else ()))
    if result is None:
        return call.ticket_id
    if call.ticket_id != result.ticket_id:
        call = db.session.get(Call, call.id)
        call.ticket_id = result.ticket_id
        db.session.commit()
    return result.ticket_id


def _duration(call: Call) -> str:
    seconds = call.talk_seconds if call.talk_seconds is not None else (
        int((utcnow() - call.answered_at).total_seconds()) if call.answered_at else 0)
    return f"{seconds // 60} min {seconds % 60:02d} s"


def _note(call: Call, agent: User, text: str) -> str:
    lines = [f"Phone call with {call.from_number or 'a withheld number'} on {call.started_at:%Y-%m-%d %H:%M} UTC, "
             f"taken by {call.agent.name if call.agent else agent.name}, duration {_duration(call)}."]
    if text:
        lines += ["", text]
    return "\n".join(lines)


def _loggable(call: Call, agent: User, text: str) -> str:
    if call.answered_at is None:
        raise TicketError("call", _("was not answered: missed calls become tickets by themselves"))
    if call.customer_id is None:
        raise TicketError("call", _("came from a withheld number: open a ticket for the customer by hand"))
    if call.agent_id not in (None, agent.id) and not agent.sees_all_groups:
        raise TicketError("call", _("was taken by someone else"))
    text = (text or "").strip()
    if len(text) > NOTE_MAX:
        raise TicketError("note", _("must be at most %(note_max)s characters", note_max=NOTE_MAX))
    return text


def log_as_ticket(call: Call, agent: User, *, subject: str, note: str = "") -> Ticket:
    """Log the answered `call` as a new phone ticket of its customer, the call's details (who,
    when, duration) and `note` as the agent's internal note. TicketError names a bad field."""
    text = _loggable(call, agent, note)
    ticket = agent_tickets.open_ticket(agent, channel="phone", subject=subject, body=_note(call, agent, text),
                                       first_text="note", customer_id=call.customer_id, group_id=None,
                                       request_id=f"call-{call.id}")
    _mark_logged(call, ticket)
    return ticket


def log_on_ticket(call: Call, agent: User, ticket_id: int, *, note: str = "") -> Ticket:
    """Log the answered `call` as an internal note on the customer's open ticket `ticket_id`
    (one `agent` may see). TicketError names a bad field."""
    text = _loggable(call, agent, note)
    try:
        ticket = tickets.get_for(agent, ticket_id)
    except tickets.TicketNotFound:
        raise TicketError("ticket_id", _("no ticket %(ticket_id)s", ticket_id=ticket_id)) from None
    if ticket.customer_id != call.customer_id or ticket.status == "closed":
        raise TicketError("ticket_id", _("choose an open ticket of the caller"))
    replies.add_reply(ticket, agent, body=_note(call, agent, text), internal=True)
    _mark_logged(call, ticket)
    return ticket


def _mark_logged(call: Call, ticket: Ticket) -> None:
    call = db.session.get(Call, call.id)
    call.ticket_id, call.logged_at = ticket.id, utcnow()
    db.session.commit()
