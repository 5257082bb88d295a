"""Call events in: one validated `CallEvent` of one CTI account onto its call, once.

Idempotent per (call id, event kind): a re-delivered event changes nothing and is reported as a
duplicate. Events may arrive out of order (an `ended` before its `ringing`): any event creates
the call, later ones fill in what they know. After the commit it publishes `call.ringing`,
`call.answered` or `call.ended` for the live console; an unanswered call from a known number,
and every voicemail, becomes a ticket of the phone group through `ingest` (see `tickets`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from channels import safe_fetch
from channels.base import Attachment, Sender
from channels.cti.events import AUDIO_TYPES, RECORDING_MAX_BYTES, CallEvent, EventError
from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Call, ChannelAccount
from helpdesk.models import CallEvent as StoredEvent
from helpdesk.models.base import utcnow
from helpdesk.services import customers, events
from helpdesk.services.calls import accounts, tickets
from helpdesk.services.transactions import begin_write, retry_when_busy

RECORDING_TIMEOUT = 20.0


class RecordingUnavailable(Exception):
    """The recording URL could not be fetched now (the PBX should deliver the event again)."""


@dataclass(frozen=True)
class Outcome:
    """What taking one event in did: the call's id and state, and whether it was seen before."""

    call_id: int
    state: str
    duplicate: bool
    ticket_id: int | None = None


def _find(account: ChannelAccount, external_id: str) -> Call | None:
    return db.session.scalar(select(Call).where(Call.account_id == account.id, Call.external_id == external_id))


def _seen(call: Call | None, kind: str) -> bool:
    return call is not None and db.session.scalar(
        select(StoredEvent.id).where(StoredEvent.call_id == call.id, StoredEvent.kind == kind)) is not None


def fetch_recording(url: str) -> Attachment:
    """The voicemail recording at `url`, under the safe-fetch rules (https, public addresses, size
    and time caps). EventError when it may not or cannot be fetched for good (4xx),
    RecordingUnavailable when it may work later."""
    try:
        fetched = safe_fetch.fetch(url, max_bytes=RECORDING_MAX_BYTES, timeout=RECORDING_TIMEOUT)
    except safe_fetch.FetchError as exc:
        if exc.retryable:
            raise RecordingUnavailable(exc.reason) from None
        raise EventError("recording_url", _("cannot be fetched: %(reason)s", reason=exc.reason)) from None
    if not fetched.content_type.startswith(AUDIO_TYPES) or not fetched.content:
        raise EventError("recording_url", _("is not an audio file (%(content_type)s)", content_type=fetched.content_type))
    name = fetched.url.rstrip("/").rpartition("/")[2].partition("?")[0] or "voicemail"
    return Attachment(filename=name, content=fetched.content, content_type=fetched.content_type)


def _call_for(account: ChannelAccount, event: CallEvent, now) -> Call:
    call = _find(account, event.call_id)
    if call is not None:
        return call
    call = Call(account_id=account.id, external_id=event.call_id, state="ringing", started_at=event.at or now,
                group_id=account.group_id, voicemail=False)
    try:
        with db.session.begin_nested():
            db.session.add(call)
    except IntegrityError:  # a concurrent delivery created it first
        call = _find(account, event.call_id)
        if call is None:
            raise
    return call


def _apply(account: ChannelAccount, call: Call, event: CallEvent, now) -> None:
    at = event.at or now
    if event.kind == "ringing":
        call.from_number, call.to_number, call.queue = event.from_number, event.to_number, event.queue
        call.group_id = accounts.group_for_queue(account, event.queue)
        call.started_at = min(call.started_at, at) if call.started_at else at
        if event.from_number:
            call.customer_id = customers.resolve(Sender("phone", event.from_number))[0].id
    elif event.kind == "answered":
        agent = accounts.agent_for(account, event.agent)
        call.agent_ref, call.agent_id = event.agent, agent.id if agent else None
        call.answered_at = min(call.answered_at, at) if call.answered_at else at  # taken in the console first
        if call.state in ("ringing", "missed", "abandoned"):
            call.state = "answered" if call.ended_at is None else "completed"
    elif event.kind == "ended":
        call.ended_at, call.cause = at, event.cause
        if call.answered_at is not None:
            call.state, call.talk_seconds = "completed", event.duration
        else:
            call.state = "abandoned" if event.cause == "abandoned" else "missed"
            call.voicemail = call.voicemail or event.cause == "voicemail"
    else:
        call.voicemail = True
        if call.state == "ringing":
            call.state = "missed"
        if call.from_number is None and event.from_number:  # no ringing event told who called
            call.from_number = event.from_number
            call.customer_id = customers.resolve(Sender("phone", event.from_number))[0].id


def _payload(call: Call) -> dict:
    return {"call_id": call.id, "state": call.state, "group_id": call.group_id, "customer_id": call.customer_id,
            "agent_id": call.agent_id}


@retry_when_busy
def _write(account: ChannelAccount, event: CallEvent) -> tuple[Call, bool]:
    begin_write()
    try:
        now = utcnow()
        call = _call_for(account, event, now)
        if _seen(call, event.kind):
            db.session.commit()
            return call, True
        _apply(account, call, event, now)
        db.session.add(StoredEvent(call_id=call.id, kind=event.kind, data=event.data(), received_at=now))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # the same event, delivered twice at once: the other one stored it
        call = _find(account, event.call_id)
        if call is None or not _seen(call, event.kind):
            raise
        return call, True
    except BaseException:
        db.session.rollback()
        raise
    return call, False


def receive(account: ChannelAccount, event: CallEvent) -> Outcome:
    """Take `event` in for `account`: store it on its call (creating the call), commit, publish,
    and open or continue the call's ticket when it was missed or left a voicemail. A voicemail's
    recording URL is fetched first (EventError / RecordingUnavailable when it cannot be)."""
    recording = event.recording
    if event.kind == "voicemail" and recording is None and not tickets.filed(account, event.call_id, "voicemail"):
        recording = fetch_recording(event.recording_url)
    db.session.rollback()  # end the read before the write transaction
    call, duplicate = _write(account, event)
    if not duplicate:
        events.publish(f"call.{_published_kind(event.kind)}", _payload(call))
    ticket_id = tickets.file_unanswered(account, call, event.kind, recording)
    return Outcome(call.id, call.state, duplicate, ticket_id)


def _published_kind(kind: str) -> str:
    return "ended" if kind == "voicemail" else kind
