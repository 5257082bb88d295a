"""What an SLA crossing says to people (in each reader's language), and the e-mail to supervisors
when an SLA policy asks for it."""

from __future__ import annotations

import logging
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from sqlalchemy import select

from channels.email.smtp import SmtpSettings, send_email
from helpdesk.extensions import db
from helpdesk.i18n import LANGUAGES, in_language
from helpdesk.i18n import gettext as _
from helpdesk.i18n.labels import target_name
from helpdesk.models import Ticket, User

log = logging.getLogger(__name__)


def describe(kind: str, target: str, ticket_id: int, subject: str, due_at: datetime, language: str | None = None) -> str:
    """A crossing (`kind` warning or breached of `target`) in words, in `language` (None: this
    context's, which outside a request is the helpdesk's default)."""
    if language is not None:
        with in_language(language):
            return describe(kind, target, ticket_id, subject, due_at)
    values = {"number": ticket_id, "subject": subject[:200], "target": target_name(target),
              "due": f"{due_at:%Y-%m-%d %H:%M} UTC"}
    if kind == "warning":
        return _("#%(number)s %(subject)s: %(target)s is close to its SLA (due %(due)s)", **values)
    return _("#%(number)s %(subject)s: %(target)s breached its SLA (due %(due)s)", **values)


def supervisor_addresses() -> list[str]:
    """E-mail addresses of the active supervisors."""
    query = select(User.email).where(User.role == "supervisor", User.active).order_by(User.email)
    return list(db.session.scalars(query))


def _supervisors_by_language() -> dict[str | None, list[str]]:
    found: dict[str | None, list[str]] = {}
    query = select(User.language, User.email).where(User.role == "supervisor", User.active).order_by(User.email)
    for language, address in db.session.execute(query):
        found.setdefault(language if language in LANGUAGES else None, []).append(address)
    return found


def email_supervisors(settings: SmtpSettings | None, text: str, ticket_id: int, crossing: dict | None = None) -> int:
    """Send `text` about ticket `ticket_id` to every active supervisor; returns the number of
    recipients. With `crossing` (kind, target, due_at) each supervisor reads it in their own
    language (one message per language). Without SMTP settings nothing is sent. DeliveryError
    propagates so the job can retry."""
    groups = _supervisors_by_language()
    if settings is None or not groups:
        if settings is None:
            log.info("SLA e-mail to supervisors skipped: no SMTP server configured")
        return 0
    ticket = db.session.get(Ticket, ticket_id) if crossing else None
    for language, recipients in groups.items():
        words = text
        if ticket is not None and language is not None:
            due_at = datetime.fromisoformat(crossing["due_at"].removesuffix("Z"))
            words = describe(crossing["kind"], crossing["target"], ticket.id, ticket.subject, due_at, language)
        _send(settings, recipients, words, ticket_id)
    return sum(len(recipients) for recipients in groups.values())


def _send(settings: SmtpSettings, recipients: list[str], text: str, ticket_id: int) -> None:
    mail = EmailMessage()
    mail["From"] = formataddr((settings.from_name or "", settings.from_address))
    mail["To"] = ", ".join(recipients)  # staff writing to staff: the addresses are no secret among them
    mail["Subject"] = " ".join(f"SLA: {text}".split())[:200]
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(idstring=f"sla{ticket_id}", domain=settings.from_address.rpartition("@")[2] or None)
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(f"{text}\n\n#{ticket_id}\n")
    send_email(mail, settings)
