"""Anonymising tickets and messages: the steps erasure (one person) and retention (old closed
tickets) share. Each runs in the caller's transaction; files are deleted after its commit
(scrub.delete_files)."""

from __future__ import annotations

from sqlalchemy import delete, or_, select, update

from helpdesk.extensions import db
from helpdesk.models import (
    Attachment,
    Call,
    CallEvent,
    CustomField,
    CustomValue,
    Draft,
    FailedMail,
    Message,
    Notification,
    Ticket,
    TicketEvent,
    TicketTag,
    WebhookDelivery,
)
from helpdesk.services.privacy.scrub import REDACTED, Values, redact_all, redact_values


def scrub_json_rows(model, columns: tuple[str, ...], about, values: Values, counts: dict, label: str, *,
                    quoted: bool = True) -> None:
    """Rows matching `about` lose every free-text string; with `quoted`, other rows quoting a value
    lose the value (a scan of the whole table: kept for the audit log, where entries about others
    may name the person)."""
    table = model.__table__
    quoting = or_(*(values.like_any(table.c[c]) for c in columns)) if values.forms and quoted else False
    where = or_(about, quoting) if quoting is not False else about
    for row in db.session.execute(select(table.c.id, about.label("about"), *(table.c[c] for c in columns))
                                  .where(where)).all():
        redact = redact_all if row.about else redact_values
        new = {c: redact(getattr(row, c), values) for c in columns if getattr(row, c) is not None}
        if any(new[c] != getattr(row, c) for c in new):
            db.session.execute(update(table).where(table.c.id == row.id).values(**new))
            counts[label] = counts.get(label, 0) + 1


def messages_of(ticket_ids: list[int], identity_ids: list[int]) -> list[int]:
    """Ids of the messages on these tickets and of those these identities wrote anywhere."""
    return list(db.session.scalars(select(Message.id).where(or_(
        Message.ticket_id.in_(ticket_ids), Message.identity_id.in_(identity_ids)))))


def files_of(message_ids: list[int], ticket_ids: list[int]) -> set[str]:
    """Storage keys of the messages' attachments and raw mails and of the tickets' failed mails."""
    keys = set(db.session.scalars(select(Attachment.storage_key).where(Attachment.message_id.in_(message_ids))))
    keys |= {k for k in db.session.scalars(select(Message.raw_key).where(Message.id.in_(message_ids))) if k}
    keys |= set(db.session.scalars(select(FailedMail.storage_key).where(FailedMail.ticket_id.in_(ticket_ids))))
    return keys


def anonymise_messages(message_ids: list[int], counts: dict) -> None:
    """Replace the messages' text and everything that names a person; delete their attachment rows."""
    counts["attachments"] = db.session.execute(delete(Attachment).where(Attachment.message_id.in_(message_ids))).rowcount
    counts["messages"] = db.session.execute(update(Message).where(Message.id.in_(message_ids)).values(
        body_text=REDACTED, body_html=None, sender=None, participants=None, recipients=None, raw_key=None,
        external_id=None, provider_id=None, delivery_error=None, quoted_from=None, signature_from=None,
        identity_id=None)).rowcount
    # Nothing still queued goes out to an address that is no longer there.
    db.session.execute(update(Message).where(Message.id.in_(message_ids),
                                             Message.delivery_state.in_(("queued", "sending")))
                       .values(delivery_state="failed", delivery_error="customer erased"))


def anonymise_tickets(ticket_ids: list[int], values: Values, counts: dict) -> None:
    """Replace the tickets' subjects and thread keys, drop tags naming `values`, drafts and failed
    mails; notifications and timeline details lose their text."""
    counts["tickets"] = db.session.execute(update(Ticket).where(Ticket.id.in_(ticket_ids))
                                           .values(subject=REDACTED, thread_key=None)).rowcount
    for tag in db.session.execute(select(TicketTag.ticket_id, TicketTag.name).where(TicketTag.ticket_id.in_(ticket_ids))):
        if values.found_in(tag.name):
            db.session.execute(delete(TicketTag).where(TicketTag.ticket_id == tag.ticket_id, TicketTag.name == tag.name))
    counts["drafts"] = db.session.execute(delete(Draft).where(Draft.ticket_id.in_(ticket_ids))).rowcount
    counts["notifications"] = db.session.execute(update(Notification).where(Notification.ticket_id.in_(ticket_ids))
                                                 .values(text=REDACTED)).rowcount
    counts["failed_mails"] = db.session.execute(delete(FailedMail).where(FailedMail.ticket_id.in_(ticket_ids))).rowcount
    # A timeline entry belongs to its ticket: only the erased tickets' are about the person.
    scrub_json_rows(TicketEvent, ("data",), TicketEvent.ticket_id.in_(ticket_ids), values, counts, "ticket_events",
                    quoted=False)


def anonymise_calls(condition, values: Values, counts: dict) -> None:
    """The calls matching `condition` keep their times and outcome; the caller's number and the
    PBX's event details go."""
    call_ids = list(db.session.scalars(select(Call.id).where(condition)))
    if not call_ids:
        return
    counts["calls"] = db.session.execute(update(Call).where(Call.id.in_(call_ids)).values(from_number=None)).rowcount
    scrub_json_rows(CallEvent, ("data",), CallEvent.call_id.in_(call_ids), values, counts, "call_events")


def forget_custom_values(customer_ids: list[int], ticket_ids: list[int], counts: dict) -> None:
    """Custom field values: every value of the customers' fields; the free-text values of the
    tickets' fields (dropdowns, checkboxes, numbers and dates stay, for reports)."""
    customer_fields = select(CustomField.id).where(CustomField.entity == "customer")
    text_fields = select(CustomField.id).where(CustomField.entity == "ticket", CustomField.kind == "text")
    done = 0
    if customer_ids:
        done += db.session.execute(delete(CustomValue).where(CustomValue.field_id.in_(customer_fields),
                                                             CustomValue.object_id.in_(customer_ids))).rowcount
    if ticket_ids:
        done += db.session.execute(delete(CustomValue).where(CustomValue.field_id.in_(text_fields),
                                                             CustomValue.object_id.in_(ticket_ids))).rowcount
    counts["custom_values"] = done


def forget_webhook_deliveries(ticket_ids: list[int], values: Values, counts: dict) -> None:
    """Outbound webhook deliveries (their logged bodies, and any still queued) about these tickets or
    naming the person: deleted, so nothing of them is sent or kept after the fact."""
    body = WebhookDelivery.body
    conditions = [values.like_any(body)] if values.forms else []
    for start in range(0, len(ticket_ids), 100):
        conditions.append(or_(*(body.like(f'%"ticket":{{"id":{t},%') for t in ticket_ids[start:start + 100])))
    if conditions:
        counts["webhook_deliveries"] = db.session.execute(delete(WebhookDelivery).where(or_(*conditions))).rowcount
