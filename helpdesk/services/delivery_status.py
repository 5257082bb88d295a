"""Provider callbacks about messages we sent (sent, delivered, read, failed) applied to the outbox.

Callbacks name one message (WhatsApp, Messenger deliveries) or a watermark that covers every
message of a conversation up to a moment (Messenger deliveries and reads). They arrive out of
order and more than once, so a state only moves forward (see `DELIVERY_PROGRESS`) and the change
is one conditional UPDATE: two callbacks applied at once cannot move a message backwards. A callback can also overtake the receipt of its own send (the provider
calls us back before the send's provider id is committed); `apply` then answers "pending" and the
caller keeps the callback to apply it again later (see helpdesk.jobs.delivery_status).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from channels.base import DeliveryStatus
from helpdesk.extensions import db
from helpdesk.models import Message, Ticket
from helpdesk.models.messages import DELIVERY_PROGRESS
from helpdesk.services import events
from helpdesk.services.replies import message_ticket
from helpdesk.services.transactions import begin_write, retry_when_busy

# A callback only concerns a message the provider accepted: queued or sending means the outbox is
# (re)trying it, and a failed message stays failed.
ACCEPTED = ("sent", "delivered", "read")


def _forward_from(state: str) -> list[str]:
    """The accepted states from which `state` is progress."""
    return [s for s in ACCEPTED if DELIVERY_PROGRESS[s] < DELIVERY_PROGRESS[state]]


def _sending_on(source: str) -> bool:
    return db.session.scalar(
        select(Message.id).where(Message.source == source, Message.kind == "outbound",
                                 Message.delivery_state == "sending").limit(1)
    ) is not None


@retry_when_busy
def apply(source: str, status: DeliveryStatus) -> str:
    """Apply `status` to the outbound message of account `source` that the provider knows as
    `status.provider_id`; commits and publishes `message.updated` when the state moved.

    Returns "applied", "unchanged" (a repeat or an older state), "pending" (no such message yet
    while a send on `source` is still awaiting its receipt: apply it again later) or "unknown"
    (not a message we sent, or one whose receipt was lost).
    """
    if status.state not in DELIVERY_PROGRESS or status.state in ("queued", "sending"):
        return "unchanged"
    begin_write()
    # Looked at before the message: a receipt committed in between is then found below, so a
    # callback is never taken for a stranger's while its own send is finishing.
    in_flight = _sending_on(source)
    message = db.session.scalar(
        select(Message).where(Message.provider_id == status.provider_id, Message.kind == "outbound",
                              Message.source == source).limit(1)
    )
    if message is None:
        db.session.commit()
        return "pending" if in_flight else "unknown"
    values: dict = {"delivery_state": status.state}
    if status.state == "failed":
        values |= {"delivery_error": (status.error or "the provider reported the message as failed")[:1000],
                   "next_attempt_at": None}
    moved = db.session.execute(
        update(Message).where(Message.id == message.id, Message.delivery_state.in_(_forward_from(status.state)))
        .values(**values).execution_options(synchronize_session=False)
    ).rowcount
    if not moved:
        db.session.commit()
        return "unchanged"
    payload = events.ticket_payload(message_ticket(message)) | {
        "message_id": message.id, "delivery_state": status.state, "delivery_error": values.get("delivery_error")}
    db.session.commit()
    events.publish("message.updated", payload)
    return "applied"


@retry_when_busy
def apply_watermark(source: str, thread_key: str, state: str, until: datetime) -> int:
    """A watermark callback (Messenger): every reply of account `source` in the conversation
    `thread_key` written up to `until` reached `state` (delivered or read). Moves those replies
    forward, commits, publishes `message.updated` for each; returns how many moved.

    A reply still awaiting its send's receipt at that moment is left as it is: the customer's next
    read covers it.
    """
    if state not in ("delivered", "read"):
        return 0
    begin_write()
    cutoff = until.astimezone(UTC).replace(tzinfo=None) if until.tzinfo else until
    rows = db.session.execute(
        select(Message.id, Message.ticket_id).join(Ticket, Ticket.id == Message.ticket_id)
        .where(Ticket.source == source, Ticket.thread_key == thread_key, Message.kind == "outbound",
               Message.source == source, Message.created_at <= cutoff,
               Message.delivery_state.in_(_forward_from(state)))
    ).all()
    if not rows:
        db.session.commit()
        return 0
    db.session.execute(
        update(Message).where(Message.id.in_([r.id for r in rows]), Message.delivery_state.in_(_forward_from(state)))
        .values(delivery_state=state).execution_options(synchronize_session=False)
    )
    tickets = {t: events.ticket_payload(db.session.get(Ticket, t)) for t in {r.ticket_id for r in rows}}
    db.session.commit()
    for row in rows:
        events.publish("message.updated", tickets[row.ticket_id] | {
            "message_id": row.id, "delivery_state": state, "delivery_error": None})
    return len(rows)
