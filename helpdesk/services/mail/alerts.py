"""Telling admins about mail that could not be processed (too large, unparseable, no sender): an
in-app notification each, and, when an SMTP server is configured, one summary mail a day at most."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from channels.base import AUTO_GENERATED, OutboundMessage, Sender
from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.i18n import in_language_of, ngettext
from helpdesk.models import FailedMail, Mailbox, Notification, User
from helpdesk.models.base import utcnow
from helpdesk.services.notifications import TEXT_MAX

KIND = "mail.failed"
SUMMARY_LISTS = 20  # failed mails named in the summary mail


def _admins() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == "admin", User.active.is_(True)).order_by(User.id)))


def notify_admins(failed: FailedMail, mailbox_name: str) -> list[Notification]:
    """Add (without committing: in the transaction that records `failed`) a notification about it
    for every active admin, each in their language."""
    rows = []
    for admin in _admins():
        with in_language_of(admin):
            text = _("Mail to %(mailbox)s could not be processed and waits in the failed-mail store: "
                     "%(subject)s: %(error)s", mailbox=mailbox_name, subject=failed.subject or _("(no subject)"),
                     error=failed.error)
        rows.append(Notification(user_id=admin.id, kind=KIND, text=text[:TEXT_MAX]))
    db.session.add_all(rows)
    return rows


def summary_mails() -> list[OutboundMessage]:
    """The summary of the failed mail still waiting, one mail per active admin (empty when none waits)."""
    waiting = db.session.scalar(select(func.count()).select_from(FailedMail).where(FailedMail.resolved_at.is_(None)))
    if not waiting:
        return []
    since = utcnow() - timedelta(days=1)
    newest = db.session.execute(
        select(FailedMail.subject, FailedMail.error, FailedMail.created_at, Mailbox.name)
        .join(Mailbox, Mailbox.id == FailedMail.mailbox_id)
        .where(FailedMail.resolved_at.is_(None)).order_by(FailedMail.id.desc()).limit(SUMMARY_LISTS)).all()
    today = sum(1 for row in newest if row.created_at >= since)
    page = f"{current_app.config['HELPDESK_PUBLIC_URL']}/admin/mail/"
    mails = []
    for admin in _admins():
        with in_language_of(admin):
            lines = [f"- {row.created_at:%Y-%m-%d %H:%M} UTC, {row.name}: {row.subject or _('(no subject)')}: "
                     f"{row.error[:200]}" for row in newest]
            head = ngettext("%(num)d mail could not be processed and waits in the failed-mail store",
                            "%(num)d mails could not be processed and wait in the failed-mail store", waiting)
            if today:
                head += " " + _("(%(today)s of those listed arrived in the last 24 hours)", today=today)
            body = (head + ".\n\n" + "\n".join(lines) + "\n\n"
                    + _("Review, download or reprocess them at %(page)s", page=page) + "\n"
                    + _("You get this summary at most once a day.") + "\n")
            subject = ngettext("%(num)d mail could not be processed", "%(num)d mails could not be processed", waiting)
        mails.append(OutboundMessage(message_id=0, channel="email", source=None,
                                     recipient=Sender(kind="email", address=admin.email, name=admin.name),
                                     subject=subject, body_text=body, auto_submitted=AUTO_GENERATED))
    return mails
