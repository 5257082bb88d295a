"""Administration of the e-mail channel: mailboxes and the failed-mail store (admins only)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from channels.email.imap import SECURITY_MODES, ImapError, ImapMailbox
from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.i18n import stored
from helpdesk.models import FailedMail, Mailbox
from helpdesk.services.attachments import path_for
from helpdesk.services.mail import mailboxes
from helpdesk.services.mail import sync as mail_sync
from helpdesk.services.mail.mailboxes import MailboxError
from helpdesk.web.attachments import as_download
from helpdesk.web.common import admins_only, all_groups, get_or_404

bp = Blueprint("admin_mail", __name__, url_prefix="/admin/mail")


bp.before_request(admins_only)


@bp.get("/")
def overview():
    """Every mailbox with its sync state, and the mail waiting for an admin."""
    boxes = list(db.session.scalars(db.select(Mailbox).order_by(Mailbox.name)))
    return render_template("admin/mail.html", mailboxes=boxes, failures=mail_sync.open_failures(),
                           groups=all_groups(), security_modes=SECURITY_MODES)


def _mailbox_fields(form) -> dict:
    """The add-mailbox form as keyword arguments of `mailboxes.add_mailbox`; empty means "not given"."""
    text = {name: form.get(name, "").strip() or None for name in (
        "name", "address", "imap_host", "imap_port", "imap_user", "imap_move_to",
        "smtp_host", "smtp_port", "smtp_user", "group", "acknowledge_template")}
    return text | {
        "imap_password": form.get("imap_password", ""), "smtp_password": form.get("smtp_password") or None,
        "imap_security": form.get("imap_security") or "ssl", "smtp_security": form.get("smtp_security") or "starttls",
        "imap_folder": form.get("imap_folder", "").strip() or "INBOX", "acknowledge": form.get("acknowledge") == "1",
    }


@bp.post("/mailboxes")
def add():
    """Add a mailbox; its passwords are stored encrypted and never shown again."""
    try:
        mailbox = mailboxes.add_mailbox(**_mailbox_fields(request.form))
    except MailboxError as exc:
        db.session.rollback()
        flash(_("Mailbox not added: %(field)s %(message)s.", field=exc.field, message=exc.message), "error")
        return redirect(url_for("admin_mail.overview"), code=303)
    flash(_("Mailbox %(name)s added. Restart `helpdesk run` or `helpdesk listen` to start listening.", name=mailbox.name), "ok")
    return redirect(url_for("admin_mail.overview"), code=303)


@bp.post("/mailboxes/<int:mailbox_id>")
def update(mailbox_id: int):
    """Switch a mailbox on or off, change its acknowledgement, or replace a password."""
    mailbox = get_or_404(Mailbox, mailbox_id)
    form = request.form
    try:
        mailboxes.update_mailbox(mailbox, active=form.get("active") == "1", acknowledge=form.get("acknowledge") == "1",
                                 acknowledge_template=form.get("acknowledge_template"),
                                 imap_password=form.get("imap_password") or None,
                                 smtp_password=form.get("smtp_password") or None)
    except MailboxError as exc:
        db.session.rollback()
        flash(_("Mailbox not changed: %(field)s %(message)s.", field=exc.field, message=exc.message), "error")
    else:
        flash(_("Mailbox %(name)s saved.", name=mailbox.name), "ok")
    return redirect(url_for("admin_mail.overview"), code=303)


@bp.post("/mailboxes/<int:mailbox_id>/check")
def check(mailbox_id: int):
    """Try to sign in to the mailbox's IMAP server now and say what happened."""
    mailbox = get_or_404(Mailbox, mailbox_id)
    settings = mailboxes.imap_settings(mailbox, timeout=15)
    db.session.commit()
    try:
        with ImapMailbox(settings) as imap:
            state = imap.select()
        flash(_("%(name)s: signed in, %(count)s message(s) in %(folder)s", name=mailbox.name, count=state.exists,
                folder=settings.folder) + (_(", IDLE supported.") if imap.can_idle else _(", no IDLE (polling).")), "ok")
    except ImapError as exc:
        flash(_("%(name)s: %(reason)s", name=mailbox.name, reason=stored.say(exc.reason)), "error")
    return redirect(url_for("admin_mail.overview"), code=303)


@bp.post("/failed/<int:failed_id>/reprocess")
def reprocess(failed_id: int):
    """Try a failed mail again."""
    result = mail_sync.reprocess(get_or_404(FailedMail, failed_id).id)
    if result.resolved_at:
        flash(_("Processed: ticket #%(number)s.", number=result.ticket_id) if result.ticket_id else _("Processed."), "ok")
    else:
        flash(_("Still failing: %(reason)s", reason=stored.say(result.error[:300])), "error")
    return redirect(url_for("admin_mail.overview"), code=303)


@bp.get("/failed/<int:failed_id>/raw")
def raw(failed_id: int):
    """The failed message exactly as it arrived."""
    failed = get_or_404(FailedMail, failed_id)
    return as_download(path_for(failed.storage_key), "message/rfc822", f"failed-{failed.id}.eml", failed.sha256)
