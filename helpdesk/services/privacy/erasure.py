"""Erasure: a customer anonymised for good, and the requests for it that wait for an admin.

`erase` replaces in one transaction, the same on SQLite and PostgreSQL: the customer's name, notes
and pre-chat address (and those of every record merged into it); their identities (deleted);
on their tickets the subjects, every message's text, HTML, sender, recipients, raw mail, provider
ids and attachments, notes included (they quote the customer), drafts, notifications, timeline
details; the messages they wrote on other tickets; survey comments; consent; failed mails of their
tickets; audit entries about them (and their values wherever another entry quotes them); cached
API answers (idempotency keys) and help-center activity of the visitor who opened their ticket.
Their tickets stay, with their numbers, times, statuses, priorities, channels, groups, tags and
SLA and report facts, as tickets of "Erased customer", for statistics. After commit the files
(attachments, raw mails, failed mails, prepared exports) are deleted and the search index (rows,
words, the engines' own segments) is purged (`purge`).

The audit log is otherwise append-only; erasure is the one change of old entries, by design.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, or_, select, update

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import (
    Attachment,
    AuditEntry,
    Call,
    Consent,
    Customer,
    ErasureRequest,
    FailedMail,
    IdempotencyKey,
    Identity,
    Message,
    PortalSession,
    PortalSignIn,
    Survey,
    Ticket,
    WidgetConfirmation,
)
from helpdesk.models.base import utcnow
from helpdesk.services import audit
from helpdesk.services.privacy import purge
from helpdesk.services.privacy.anonymise import (
    anonymise_calls,
    anonymise_messages,
    anonymise_tickets,
    files_of,
    forget_custom_values,
    forget_webhook_deliveries,
    messages_of,
    scrub_json_rows,
)
from helpdesk.services.privacy.export import exports_dir, merged_ids
from helpdesk.services.privacy.scrub import Values, delete_files
from helpdesk.services.transactions import begin_write

ERASED_NAME = "Erased customer"


class ErasureError(ValueError):
    """An erasure that cannot be done (already erased, a request already decided)."""


@dataclass
class ErasureReport:
    """What an erasure changed: counts per kind, and the files removed from disk."""

    customer_id: int
    counts: dict = field(default_factory=dict)
    files_removed: int = 0


def request_erasure(customer: Customer, via: str = "portal") -> ErasureRequest:
    """Ask for the customer's erasure (from the portal, by default): a pending request an admin
    approves (erases) or rejects. A second request while one is pending returns that one. Commits."""
    if customer.erased_at is not None:
        raise ErasureError(_("this customer was already erased"))
    pending = db.session.scalar(select(ErasureRequest).where(ErasureRequest.customer_id == customer.id,
                                                             ErasureRequest.state == "pending"))
    if pending is not None:
        return pending
    row = ErasureRequest(customer_id=customer.id, via=via[:16], state="pending", requested_at=utcnow())
    db.session.add(row)
    db.session.flush()
    audit.record(None, "customer.erasure_requested", "customer", customer.id, request_id=row.id, via_channel=via)
    db.session.commit()
    return row


def pending_requests() -> list[ErasureRequest]:
    """Erasure requests waiting for an admin, oldest first."""
    return list(db.session.scalars(select(ErasureRequest).where(ErasureRequest.state == "pending")
                                   .order_by(ErasureRequest.id)))


def reject(request: ErasureRequest, actor: audit.Actor | None = None) -> None:
    """Turn a pending erasure request down (an audit entry says who). Commits."""
    if request.state != "pending":
        raise ErasureError(_("this request was already decided"))
    request.state, request.decided_at = "rejected", utcnow()
    request.decided_by_id = actor.user_id if actor else None
    audit.record(actor, "customer.erasure_rejected", "customer", request.customer_id, request_id=request.id)
    db.session.commit()


def personal_values(ids: list[int], ticket_ids: list[int], message_ids: list[int]) -> Values:
    """The strings that identify the person: names, notes, addresses (and a phone's digits),
    subjects of their tickets, how their messages showed the sender, their files' names."""
    values: list[str] = []
    for c in db.session.scalars(select(Customer).where(Customer.id.in_(ids))):
        values += [c.name, c.notes, c.unverified_email]
    for address in db.session.scalars(select(Identity.address).where(Identity.customer_id.in_(ids))):
        values += [address, "".join(ch for ch in address if ch.isdigit())]
    if ticket_ids:
        values += db.session.scalars(select(Ticket.subject).where(Ticket.id.in_(ticket_ids)))
    if message_ids:
        values += db.session.scalars(select(Message.sender).where(Message.id.in_(message_ids),
                                                                  Message.kind == "inbound"))
        values += db.session.scalars(select(Attachment.filename).where(Attachment.message_id.in_(message_ids)))
    values = [v for v in values if v and v != ERASED_NAME]
    names = db.session.scalars(select(Customer.name).where(Customer.id.in_(ids)))
    return Values(values, words=[w for name in names if name != ERASED_NAME for w in name.split()])












def _forget_widget_confirmations(ids: list[int]) -> None:
    """The chat widget's record of confirmation mails (its anti mail-bomb limits) for the person's
    visitor ids and addresses (kept as hashes, still theirs)."""
    from helpdesk.services.webchat.confirmations import address_hash

    rows = db.session.execute(select(Identity.kind, Identity.address).where(Identity.customer_id.in_(ids))).all()
    visitors = [r.address for r in rows if r.kind == "webchat"]
    hashes = [address_hash(r.address) for r in rows if r.kind == "email"]
    if visitors or hashes:
        db.session.execute(delete(WidgetConfirmation).where(or_(WidgetConfirmation.visitor_id.in_(visitors),
                                                                WidgetConfirmation.address_hash.in_(hashes))))


def _anonymise_people(ids: list[int], counts: dict) -> None:
    _forget_widget_confirmations(ids)
    counts["identities"] = db.session.execute(delete(Identity).where(Identity.customer_id.in_(ids))).rowcount
    db.session.execute(update(Customer).where(Customer.id.in_(ids)).values(
        name=ERASED_NAME, notes=None, unverified_email=None, timezone=None, erased_at=utcnow()))
    db.session.execute(update(Survey).where(Survey.customer_id.in_(ids)).values(comment=None))
    db.session.execute(update(Survey).where(Survey.customer_id.in_(ids), Survey.state == "scheduled")
                       .values(state="skipped", skip_reason="the customer was erased"))
    counts["consents"] = db.session.execute(delete(Consent).where(Consent.customer_id.in_(ids))).rowcount
    for model in (PortalSession, PortalSignIn):  # signed-in portal browsers end, links stop working
        db.session.execute(delete(model).where(model.customer_id.in_(ids)))


def _calls(ids: list[int], ticket_ids: list[int], phones: list[str], values: Values, counts: dict) -> None:
    anonymise_calls(or_(Call.customer_id.in_(ids), Call.ticket_id.in_(ticket_ids or [0]),
                        Call.from_number.in_(phones or [""])), values, counts)


def _elsewhere(ids: list[int], ticket_ids: list[int], message_ids: list[int], values: Values, counts: dict) -> None:
    """Rows outside the customer's own: audit entries, failed mails, cached API answers."""
    about = or_((AuditEntry.target_type == "customer") & AuditEntry.target_id.in_(ids),
                (AuditEntry.target_type == "ticket") & AuditEntry.target_id.in_(ticket_ids or [0]),
                (AuditEntry.target_type == "message") & AuditEntry.target_id.in_(message_ids or [0]))
    scrub_json_rows(AuditEntry, ("data", "before", "after"), about, values, counts, "audit_entries")
    if values.forms:
        stray = db.session.execute(delete(FailedMail).where(or_(values.like_any(FailedMail.subject),
                                                                values.like_any(FailedMail.message_id_header))))
        counts["failed_mails"] = counts.get("failed_mails", 0) + stray.rowcount
    cached = [k.id for k in db.session.scalars(select(IdempotencyKey))
              if values.mentioned_in(bytes(k.body or b"").decode("utf-8", "replace")) or values.mentioned_in(k.location)]
    if cached:
        counts["idempotency_keys"] = db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.id.in_(cached))).rowcount


def erase(customer: Customer, *, actor: audit.Actor | None = None, compact_now: bool = False) -> ErasureReport:
    """Anonymise `customer` irreversibly (see the module's docstring); marks their pending requests
    done, writes an audit entry (counts only), commits, then deletes the files. The search index's
    segments are compacted by a job (`privacy.erased` event; seconds on a large index, so not in
    the request) or here with `compact_now` (the command line). ErasureError when the customer was
    erased already."""
    if customer.erased_at is not None:
        raise ErasureError(_("this customer was already erased"))
    report = ErasureReport(customer.id)
    begin_write()
    ids = merged_ids(customer)
    identity_ids = list(db.session.scalars(select(Identity.id).where(Identity.customer_id.in_(ids))))
    ticket_ids = list(db.session.scalars(select(Ticket.id).where(Ticket.customer_id.in_(ids))))
    message_ids = messages_of(ticket_ids, identity_ids)
    touched = sorted(set(ticket_ids) | set(db.session.scalars(select(Message.ticket_id).where(Message.id.in_(message_ids)))))
    values = personal_values(ids, ticket_ids, message_ids)
    phones = list(db.session.scalars(select(Identity.address).where(Identity.customer_id.in_(ids),
                                                                     Identity.kind.in_(("phone", "whatsapp")))))
    words = purge.words_of(touched)
    topic_words = purge.topic_words_of(ticket_ids)
    purge.secure_delete(True)
    try:
        keys = files_of(message_ids, ticket_ids)
        keys |= set(db.session.scalars(select(FailedMail.storage_key).where(
            or_(values.like_any(FailedMail.subject), values.like_any(FailedMail.message_id_header))))) if values.forms else set()
        purge.forget_visitors(ticket_ids)
        anonymise_messages(message_ids, report.counts)
        anonymise_tickets(ticket_ids, values, report.counts)
        _calls(ids, ticket_ids, phones, values, report.counts)
        forget_custom_values(ids, ticket_ids, report.counts)
        forget_webhook_deliveries(ticket_ids, values, report.counts)
        _anonymise_people(ids, report.counts)
        _elsewhere(ids, ticket_ids, message_ids, values, report.counts)
        db.session.execute(update(ErasureRequest).where(ErasureRequest.customer_id.in_(ids),
                                                        ErasureRequest.state == "pending")
                           .values(state="done", decided_at=utcnow(), decided_by_id=actor.user_id if actor else None))
        purge.reindex(touched, words)
        purge.forget_topic_words(topic_words)
        audit.record(actor, "customer.erase", "customer", customer.id, merged_records=len(ids) - 1,
                     **{k: v for k, v in report.counts.items() if v})
        db.session.commit()
    finally:
        purge.secure_delete(False)
    db.session.expire_all()
    report.files_removed = delete_files(keys)
    for path in exports_dir().glob("*.zip") if exports_dir().is_dir() else []:
        if path.name.split("-", 1)[0] in {str(i) for i in ids}:
            path.unlink(missing_ok=True)
    if compact_now:
        purge.compact()
    else:
        from helpdesk.services import events

        events.publish("privacy.erased", {"customer_id": report.customer_id})
    return report
