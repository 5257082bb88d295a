"""A customer's data as one zip archive: `customer.json` (the customer, organization, identities,
consent and its history, tickets with their tags and messages, survey answers) and the files
(`attachments/<message id>/<attachment id>-<name>`, each inbound mail as delivered under
`mails/<message id>.eml`).

What is in it, decided: everything the customer wrote or was sent (inbound and outbound messages,
their recipients, attachments and raw mails) and every survey answer. Internal notes are left out
by default, and so is the agents' note on the customer: they are the staff's working notes, never
shown to the customer (not in the portal either); `include_internal=True` (the console's admin
export, the CLI's --internal) adds them for a full access request. Nothing of another customer is in it: a ticket is the customer's when they
own it, and a message on someone else's ticket only when they wrote it.

`request_export` (the portal's "download my data"): a job writes the archive under the
attachments folder (`exports/`) and mails a signed link that expires after EXPORT_LINK_HOURS.
"""

from __future__ import annotations

import json
import secrets
import zipfile
from pathlib import Path
from typing import IO

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from helpdesk.extensions import db
from helpdesk.models import Attachment, Call, Customer, CustomField, CustomValue, Identity, Message, Survey, Ticket
from helpdesk.models.base import utcnow
from helpdesk.services import attachments as files
from helpdesk.services import audit
from helpdesk.services.privacy import consent

EXPORT_LINK_HOURS = 72
FORMAT = "helpdesk-customer-export/1"


def _iso(value):
    return value.isoformat() if value is not None else None


def _message(m: Message) -> dict:
    return {"id": m.id, "kind": m.kind, "channel": m.channel, "created_at": _iso(m.created_at),
            "from_customer": m.kind == "inbound", "sender": m.sender, "body_text": m.body_text,
            "body_html": m.body_html, "recipients": m.recipients, "participants": m.participants,
            "delivery_state": m.delivery_state,
            "attachments": [{"id": a.id, "filename": a.filename, "content_type": a.content_type, "size": a.size,
                             "sha256": a.sha256, "file": _attachment_path(m, a)} for a in m.attachments],
            "raw_mail": f"mails/{m.id}.eml" if m.raw_key and m.kind == "inbound" else None}


def _attachment_path(m: Message, a: Attachment) -> str:
    return f"attachments/{m.id}/{a.id}-{a.filename}"


def _messages_of(customer_ids: list[int], owned: list[int], include_internal: bool) -> list[Message]:
    """The messages on the customer's tickets (notes only when asked) and those they wrote elsewhere."""
    identity_ids = select(Identity.id).where(Identity.customer_id.in_(customer_ids))
    on_own = Message.ticket_id.in_(owned) if owned else False
    if on_own is not False and not include_internal:
        on_own = on_own & (Message.kind != "note")
    query = select(Message).options(selectinload(Message.attachments)).where(
        or_(on_own, Message.identity_id.in_(identity_ids)) if on_own is not False else Message.identity_id.in_(identity_ids))
    return list(db.session.scalars(query.order_by(Message.id)))


def merged_ids(customer: Customer) -> list[int]:
    """The customer's id and those of every record merged into it (directly or through others)."""
    ids, frontier = [customer.id], [customer.id]
    while frontier:
        frontier = list(db.session.scalars(select(Customer.id).where(Customer.merged_into_id.in_(frontier))))
        ids += [i for i in frontier if i not in ids]
    return ids


def _custom_values(entity: str, object_ids: list[int]) -> dict[int, dict]:
    """{object id: {field key: value}} of an entity's custom fields."""
    found: dict[int, dict] = {}
    if object_ids:
        for row in db.session.execute(select(CustomValue.object_id, CustomField.key, CustomValue.value)
                                      .join(CustomField, CustomField.id == CustomValue.field_id)
                                      .where(CustomField.entity == entity, CustomValue.object_id.in_(object_ids))):
            found.setdefault(row.object_id, {})[row.key] = row.value
    return found


def collect(customer: Customer, *, include_internal: bool = False) -> tuple[dict, list[Message]]:
    """The archive's JSON document and the messages whose files go with it."""
    ids = merged_ids(customer)
    tickets = list(db.session.scalars(select(Ticket).where(Ticket.customer_id.in_(ids)).order_by(Ticket.id)))
    owned = [t.id for t in tickets]
    messages = _messages_of(ids, owned, include_internal)
    by_ticket: dict[int, list[dict]] = {}
    for m in messages:
        by_ticket.setdefault(m.ticket_id, []).append(_message(m))
    others = sorted(set(by_ticket) - set(owned))  # tickets of someone else the customer wrote on
    current = consent.consents_of(customer)
    customer_fields = _custom_values("customer", ids)
    ticket_fields = _custom_values("ticket", owned)
    surveys = db.session.scalars(select(Survey).where(Survey.customer_id.in_(ids)).order_by(Survey.id))
    document = {
        "format": FORMAT, "exported_at": _iso(utcnow()),
        "customer": {"id": customer.id, "name": customer.name, "language": customer.language,
                     "timezone": customer.timezone, "tier": customer.tier,
                     # The agents' free-text notes about the person go with the internal notes: only
                     # when an admin asks for them, never in a self-service copy.
                     "notes": customer.notes if include_internal else None,
                     "unverified_email": customer.unverified_email, "created_at": _iso(customer.created_at),
                     "organization": customer.organization.name if customer.organization else None,
                     "merged_records": ids[1:],
                     "custom_fields": {k: v for i in ids for k, v in customer_fields.get(i, {}).items()}},
        "identities": [{"kind": i.kind, "address": i.address, "created_at": _iso(i.created_at)}
                       for i in db.session.scalars(select(Identity).where(Identity.customer_id.in_(ids))
                                                   .order_by(Identity.id))],
        "consent": {p: (None if c is None else {"granted": c.granted, "source": c.source, "at": _iso(c.created_at)})
                    for p, c in current.items()},
        "consent_history": [{"purpose": c.purpose, "granted": c.granted, "source": c.source,
                             "at": _iso(c.created_at)} for c in consent.history(customer)],
        "tickets": [{"id": t.id, "subject": t.subject, "status": t.status, "priority": t.priority_name,
                     "channel": t.channel, "created_at": _iso(t.created_at), "solved_at": _iso(t.solved_at),
                     "closed_at": _iso(t.closed_at), "tags": t.tags, "custom_fields": ticket_fields.get(t.id, {}),
                     "messages": by_ticket.get(t.id, [])}
                    for t in tickets],
        "messages_on_other_tickets": [{"ticket_id": tid, "messages": by_ticket[tid]} for tid in others],
        "survey_answers": [{"ticket_id": s.ticket_id, "kind": s.kind, "state": s.state, "score": s.score,
                            "comment": s.comment, "sent_at": _iso(s.sent_at), "responded_at": _iso(s.responded_at)}
                           for s in surveys],
        "calls": [{"started_at": _iso(c.started_at), "state": c.state, "from_number": c.from_number,
                   "answered_at": _iso(c.answered_at), "ended_at": _iso(c.ended_at), "voicemail": c.voicemail,
                   "ticket_id": c.ticket_id}
                  for c in db.session.scalars(select(Call).where(Call.customer_id.in_(ids)).order_by(Call.id))],
        "internal_notes_included": include_internal,
    }
    return document, messages


def _add_file(archive: zipfile.ZipFile, name: str, storage_key: str) -> None:
    path = files.path_for(storage_key)
    if path.exists():  # a file lost on disk is left out rather than failing the whole export
        archive.write(path, name)


def write_archive(customer: Customer, out: IO[bytes] | Path | str, *, include_internal: bool = False) -> dict:
    """Write the customer's archive (zip) to `out` (a path or a binary file); returns its JSON document."""
    document, messages = collect(customer, include_internal=include_internal)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("customer.json", json.dumps(document, ensure_ascii=False, indent=2))
        for m in messages:
            for a in m.attachments:
                _add_file(archive, _attachment_path(m, a), a.storage_key)
            if m.raw_key and m.kind == "inbound":
                _add_file(archive, f"mails/{m.id}.eml", m.raw_key)
    return document


def exports_dir() -> Path:
    """Where prepared archives wait for their download (beside the attachments, shared by every process)."""
    return Path(current_app.config["HELPDESK_ATTACHMENTS_DIR"]) / "exports"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="privacy-export")


def prepare(customer: Customer, *, actor: audit.Actor | None = None) -> str:
    """Write the customer's archive under exports/ and return its signed download token (commits
    the audit entry). The file's name starts with the customer's id, so erasure finds it."""
    directory = exports_dir()
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{customer.id}-{secrets.token_hex(16)}.zip"
    write_archive(customer, directory / name)
    audit.record(actor, "customer.export", "customer", customer.id, via_portal=actor is None)
    db.session.commit()
    return _serializer().dumps({"file": name})


def download_path(token: str) -> Path | None:
    """The prepared archive a download token names, or None when the token is forged, expired or
    its file is gone."""
    try:
        name = _serializer().loads(token, max_age=EXPORT_LINK_HOURS * 3600)["file"]
    except (BadSignature, KeyError, TypeError):
        return None
    path = exports_dir() / str(name)
    return path if "/" not in str(name) and path.is_file() else None


def request_export(customer: Customer, mail_to: str) -> None:
    """Queue the customer's export: a job prepares the archive and mails `mail_to` a signed link
    that works for EXPORT_LINK_HOURS hours. Returns at once."""
    from helpdesk.services import events

    events.publish("privacy.export_requested", {"customer_id": customer.id, "mail_to": mail_to})


def remove_expired(now=None) -> int:
    """Delete prepared archives older than their links; returns how many."""
    import time

    directory, limit, count = exports_dir(), (now or time.time()) - EXPORT_LINK_HOURS * 3600, 0
    for path in directory.glob("*.zip") if directory.is_dir() else []:
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            count += 1
    return count
