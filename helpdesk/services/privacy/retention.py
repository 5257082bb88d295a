"""Retention: per channel, closed tickets older than N days are anonymised or deleted.

A policy (`RetentionPolicy`: channel, days, action "anonymise" | "delete", enabled) applies to
tickets of its channel closed (`closed_at`, else their last update) more than `days` ago that are
not anonymised yet. `run(dry_run=True)` only counts (tickets, messages, attachments, bytes on disk
per channel); a real run works in batches, one transaction each, with an audit entry per channel,
and deletes the files of the rows it removed after each commit (no orphan files are left).
The daily Huey job (helpdesk.jobs.privacy) runs it at 03:17.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, or_, select, update

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Attachment, AuditEntry, Call, Message, RetentionPolicy, Ticket
from helpdesk.models.base import utcnow
from helpdesk.models.privacy import RETENTION_ACTIONS
from helpdesk.services import audit
from helpdesk.services.privacy import purge
from helpdesk.services.privacy.anonymise import (
    anonymise_calls,
    anonymise_messages,
    anonymise_tickets,
    files_of,
    forget_custom_values,
    forget_webhook_deliveries,
    scrub_json_rows,
)
from helpdesk.services.privacy.scrub import REDACTED, Values, delete_files
from helpdesk.services.transactions import begin_write

BATCH = 200
MAX_DAYS = 36_500


class RetentionError(ValueError):
    """A policy that cannot be saved; the message says why."""


def channel_names() -> list[str]:
    """The channels a policy can name: every registered channel adapter, sorted."""
    import channels

    return sorted(channels.REGISTRY)


def policies() -> list[RetentionPolicy]:
    """Every channel's policy, by channel."""
    return list(db.session.scalars(select(RetentionPolicy).order_by(RetentionPolicy.channel)))


def save_policy(channel: str, days: int, action: str, enabled: bool = True, *, actor: audit.Actor | None = None) -> RetentionPolicy:
    """Create or change the policy of `channel` (audited); commits. RetentionError on bad input."""
    channel = (channel or "").strip()
    if not channel or len(channel) > 32:
        raise RetentionError(_("channel: 1 to 32 characters"))
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise RetentionError(_("days: a whole number from 1 to %(max_days)s", max_days=MAX_DAYS))
    if action not in RETENTION_ACTIONS:
        raise RetentionError(_("action: one of %(value)s", value=', '.join(RETENTION_ACTIONS)))
    policy = db.session.scalar(select(RetentionPolicy).where(RetentionPolicy.channel == channel))
    before = None if policy is None else {"days": policy.days, "action": policy.action, "enabled": policy.enabled}
    if policy is None:
        policy = RetentionPolicy(channel=channel)
        db.session.add(policy)
    policy.days, policy.action, policy.enabled, policy.updated_at = days, action, bool(enabled), utcnow()
    db.session.flush()
    audit.record(actor, "retention.update", "retention_policy", policy.id, before=before,
                 after={"channel": channel, "days": days, "action": action, "enabled": bool(enabled)})
    db.session.commit()
    return policy


def delete_policy(policy: RetentionPolicy, *, actor: audit.Actor | None = None) -> None:
    """Remove a channel's policy (audited); commits."""
    audit.record(actor, "retention.delete", "retention_policy", policy.id, before={"channel": policy.channel})
    db.session.delete(policy)
    db.session.commit()


def _due(policy: RetentionPolicy, now):
    cutoff = now - timedelta(days=policy.days)
    return select(Ticket.id).where(Ticket.channel == policy.channel, Ticket.status == "closed",
                                   func.coalesce(Ticket.closed_at, Ticket.updated_at) < cutoff,
                                   Ticket.subject != REDACTED)


def _counts(policy: RetentionPolicy, now) -> dict:
    due = _due(policy, now).subquery()
    messages = select(Message.id).where(Message.ticket_id.in_(select(due.c.id))).subquery()
    files = db.session.execute(select(func.count(Attachment.id), func.coalesce(func.sum(Attachment.size), 0))
                               .where(Attachment.message_id.in_(select(messages.c.id)))).one()
    return {"channel": policy.channel, "days": policy.days, "action": policy.action,
            "tickets": db.session.scalar(select(func.count()).select_from(due)),
            "messages": db.session.scalar(select(func.count()).select_from(messages)),
            "attachments": files[0], "bytes": int(files[1])}


def _apply(policy: RetentionPolicy, ticket_ids: list[int]) -> int:
    """Anonymise or delete one batch in one transaction; returns the files removed after commit."""
    begin_write()
    message_ids = list(db.session.scalars(select(Message.id).where(Message.ticket_id.in_(ticket_ids))))
    keys = files_of(message_ids, ticket_ids)
    counts: dict = {}
    words = purge.words_of(ticket_ids)
    topic_words = purge.topic_words_of(ticket_ids)
    anonymise_calls(Call.ticket_id.in_(ticket_ids), Values([]), counts)
    forget_custom_values([], ticket_ids, counts)
    forget_webhook_deliveries(ticket_ids, Values([]), counts)
    about = or_((AuditEntry.target_type == "ticket") & AuditEntry.target_id.in_(ticket_ids),
                (AuditEntry.target_type == "message") & AuditEntry.target_id.in_(message_ids or [0]))
    scrub_json_rows(AuditEntry, ("data", "before", "after"), about, Values([]), counts, "audit_entries")
    purge.forget_visitors(ticket_ids)
    if policy.action == "delete":
        db.session.execute(update(Ticket).where(Ticket.merged_into_id.in_(ticket_ids)).values(merged_into_id=None))
        db.session.execute(delete(Attachment).where(Attachment.message_id.in_(message_ids)))
        db.session.execute(delete(Message).where(Message.id.in_(message_ids)))
        db.session.execute(delete(Ticket).where(Ticket.id.in_(ticket_ids)))
        purge.reindex([], words)
    else:
        anonymise_messages(message_ids, counts)
        anonymise_tickets(ticket_ids, Values([]), counts)
        purge.reindex(ticket_ids, words)
    purge.forget_topic_words(topic_words)
    db.session.commit()
    return delete_files(keys)


def run(*, dry_run: bool = True, now=None) -> list[dict]:
    """Apply every enabled policy (or, with `dry_run`, only count what it would touch); returns one
    dict per policy: channel, days, action, tickets, messages, attachments, bytes (and
    files_removed after a real run)."""
    now = now or utcnow()
    results = []
    for policy in [p for p in policies() if p.enabled]:
        counts = _counts(policy, now)
        if not dry_run and counts["tickets"]:
            removed = 0
            while ids := list(db.session.scalars(_due(policy, now).order_by(Ticket.id).limit(BATCH))):
                removed += _apply(policy, ids)
            counts["files_removed"] = removed
            audit.record(audit.SYSTEM if audit.current_actor().via == "system" else None,
                         f"retention.{policy.action}", "retention_policy", policy.id,
                         **{k: counts[k] for k in ("channel", "tickets", "messages", "attachments")})
            db.session.commit()
        results.append(counts)
    return results
