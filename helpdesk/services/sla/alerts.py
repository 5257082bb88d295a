"""E-mail to supervisors when an SLA policy asks for it."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from sqlalchemy import select

from channels.email.smtp import SmtpSettings, send_email
from helpdesk.extensions import db
from helpdesk.models import User

log = logging.getLogger(__name__)


def supervisor_addresses() -> list[str]:
    """E-mail addresses of the active supervisors."""
    query = select(User.email).where(User.role == "supervisor", User.active).order_by(User.email)
    return list(db.session.scalars(query))


def email_supervisors(settings: SmtpSettings | None, text: str, ticket_id: int) -> int:
    """Send `text` about ticket `ticket_id` to every active supervisor (one message); returns
    the number of recipients. Without SMTP settings nothing is sent. DeliveryError propagates so
    the job can retry."""
    recipients = supervisor_addresses()
    if settings is None or not recipients:
        if settings is None:
            log.info("SLA e-mail to supervisors skipped: no SMTP server configured")
        return 0
    mail = EmailMessage()
    mail["From"] = formataddr((settings.from_name or "", settings.from_address))
    mail["To"] = ", ".join(recipients)  # staff writing to staff: the addresses are no secret among them
    mail["Subject"] = " ".join(f"SLA: {text}".split())[:200]
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(idstring=f"sla{ticket_id}", domain=settings.from_address.rpartition("@")[2] or None)
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(f"{text}\n\nTicket #{ticket_id}.\n")
    send_email(mail, settings)
    return len(recipients)
