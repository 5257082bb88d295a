"""Privacy in the console: a customer's consent (agents who may see the customer), their export
(admins and supervisors) and erasure (admins, after typing the customer's number); the admin page
of pending erasure requests and retention policies with a dry run; and the public download of a
prepared export (the mailed, signed link)."""

from __future__ import annotations

import tempfile

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from helpdesk.extensions import db
from helpdesk.models import ErasureRequest, RetentionPolicy
from helpdesk.models.privacy import PURPOSES, RETENTION_ACTIONS
from helpdesk.services import audit, customer_access, customers
from helpdesk.services.privacy import consent, erasure, export, retention
from helpdesk.web.common import admins_only
from knowledge_base.i18n import gettext as _

bp = Blueprint("privacy", __name__)
admin_bp = Blueprint("privacy_admin", __name__)
admin_bp.before_request(admins_only)


def _customer(customer_id: int):
    try:
        return customer_access.get_for(current_user, customer_id)
    except customers.CustomerNotFound:
        abort(404)


def _back(customer_id: int):
    return redirect(url_for("customers.show", customer_id=customer_id), code=303)


@bp.get("/privacy/export/<token>")
def download(token: str):
    """A prepared export, for whoever holds the signed link until it expires (then 404)."""
    path = export.download_path(token)
    if path is None:
        abort(404)
    return send_file(path, mimetype="application/zip", as_attachment=True, download_name="my-data.zip")


@bp.post("/customers/<int:customer_id>/consent")
@login_required
def save_consent(customer_id: int):
    """Record what the customer told an agent, per purpose (only the purposes that changed)."""
    customer = _customer(customer_id)
    current = consent.consents_of(customer)
    changed = 0
    for purpose in PURPOSES:
        value = request.form.get(purpose)
        if value not in ("yes", "no"):
            continue
        granted = value == "yes"
        if current[purpose] is None or current[purpose].granted != granted:
            consent.set_consent(customer, purpose, granted, "agent", actor=current_user, commit=False)
            changed += 1
    db.session.commit()
    flash(_("Consent saved.") if changed else _("Nothing changed."), "ok")
    return _back(customer.id)


@bp.post("/customers/<int:customer_id>/export")
@login_required
def export_customer(customer_id: int):
    """The customer's archive (admins and supervisors)."""
    if current_user.role not in ("admin", "supervisor"):
        abort(403)
    customer = _customer(customer_id)
    internal = request.form.get("internal") == "1" and current_user.role == "admin"
    spool = tempfile.SpooledTemporaryFile(max_size=8 << 20)
    export.write_archive(customer, spool, include_internal=internal)
    audit.record(None, "customer.export", "customer", customer.id, internal=internal)
    db.session.commit()
    spool.seek(0)
    return send_file(spool, mimetype="application/zip", as_attachment=True, download_name=f"customer-{customer.id}.zip")


@bp.post("/customers/<int:customer_id>/erase")
@login_required
def erase_customer(customer_id: int):
    """Erase the customer for good, once the admin typed the customer's number to confirm."""
    if current_user.role != "admin":
        abort(403)
    customer = _customer(customer_id)
    if request.form.get("confirm", "").strip() != str(customer.id):
        flash(_("Not erased: type the customer's number to confirm."), "error")
        return _back(customer.id)
    try:
        report = erasure.erase(customer, actor=audit.current_actor())
    except erasure.ErasureError as exc:
        flash(str(exc), "error")
        return _back(customer_id)
    flash(_("Customer erased: %(tickets)s tickets kept anonymised, %(files)s files deleted.")
          % {"tickets": report.counts.get("tickets", 0), "files": report.files_removed}, "ok")
    return _back(customer_id)


@admin_bp.get("/admin/privacy")
def overview():
    """Pending erasure requests, retention policies and what a run would do now."""
    requests = erasure.pending_requests()
    return render_template("admin/privacy.html", requests=requests, policies=retention.policies(),
                           dry_run=retention.run(dry_run=True), actions=RETENTION_ACTIONS,
                           channels=retention.channel_names())


@admin_bp.post("/admin/privacy/requests/<int:request_id>/reject")
def reject(request_id: int):
    """Turn an erasure request down."""
    row = db.session.get(ErasureRequest, request_id) or abort(404)
    try:
        erasure.reject(row, audit.current_actor())
    except erasure.ErasureError as exc:
        flash(str(exc), "error")
    return redirect(url_for("privacy_admin.overview"), code=303)


@admin_bp.post("/admin/privacy/retention")
def save_policy():
    """Create or change one channel's retention policy."""
    form = request.form
    try:
        days = int(form.get("days", ""))
    except ValueError:
        days = 0
    try:
        retention.save_policy(form.get("channel", ""), days, form.get("action", ""), form.get("enabled") == "1",
                              actor=audit.current_actor())
        flash(_("Retention policy saved."), "ok")
    except retention.RetentionError as exc:
        db.session.rollback()
        flash(_("Not saved: %(reason)s.", reason=exc), "error")
    return redirect(url_for("privacy_admin.overview"), code=303)


@admin_bp.post("/admin/privacy/retention/<int:policy_id>/delete")
def delete_policy(policy_id: int):
    """Remove a channel's retention policy."""
    policy = db.session.get(RetentionPolicy, policy_id) or abort(404)
    retention.delete_policy(policy, actor=audit.current_actor())
    return redirect(url_for("privacy_admin.overview"), code=303)
