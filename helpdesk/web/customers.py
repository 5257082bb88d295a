"""Customer pages of the console: search, profile with identities and history, merge.

Only customers the signed-in staff member may see (services/customer_access) are listed or found;
any other id answers 404, as for tickets."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from channels.base import IDENTITY_KINDS
from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Customer, Organization, Ticket
from helpdesk.models.customers import TIERS
from helpdesk.services import customer_access, customers
from helpdesk.services.calls import log as call_log
from helpdesk.services.customers import CustomerError
from helpdesk.services.privacy import consent
from helpdesk.web.common import BadInput, optional_int, preload

bp = Blueprint("customers", __name__)
PAGE_SIZE = 50


@bp.before_request
@login_required
def _signed_in():
    """Every customer page needs a signed-in staff member."""


@bp.get("/customers")
def list_customers():
    """Customers by name or any identity address, newest first, keyset-paginated."""
    q = (request.args.get("q") or "").strip()[:200]
    try:
        page = customer_access.search(current_user, q, cursor=request.args.get("cursor") or None, limit=PAGE_SIZE)
    except CustomerError as exc:
        abort(400, description=str(exc))
    return render_template("customers/list.html", customers=page.items, q=q, next_cursor=page.next_cursor)


def _customer_or_404(customer_id: int) -> Customer:
    """The active customer the signed-in staff member may see, or 404."""
    try:
        return customer_access.get_for(current_user, customer_id)
    except customers.CustomerNotFound:
        abort(404)


@bp.get("/customers/<int:customer_id>")
def show(customer_id: int):
    """Profile, identities on every channel, and every ticket this agent may see."""
    try:
        customer = customer_access.get_for(current_user, customer_id)
    except customers.CustomerNotFound as exc:
        if getattr(exc, "merged_into_id", None):
            return redirect(url_for("customers.show", customer_id=exc.merged_into_id))
        abort(404)
    ids = customers.visible_ticket_ids(current_user, customer.id)
    history = list(db.session.scalars(select(Ticket).where(Ticket.id.in_(ids)).order_by(Ticket.created_at.desc())))
    preload(history)
    organizations = list(db.session.scalars(select(Organization).order_by(Organization.name)))
    calls = call_log.calls(current_user, customer_id=customer.id, limit=20).items
    return render_template("customers/page.html", customer=customer, history=history, identity_kinds=IDENTITY_KINDS,
                           tiers=TIERS, organizations=organizations, calls=calls,
                           duplicates=customer_access.likely_duplicates(current_user, customer),
                           consents=consent.consents_of(customer), consent_history=consent.history(customer))


@bp.post("/customers/<int:customer_id>")
def update(customer_id: int):
    """Change the profile: name, language, time zone, tier, notes, organization."""
    customer = _customer_or_404(customer_id)
    form = request.form
    changes = {name: form.get(name, "").strip() for name in ("name", "language", "timezone", "tier") if name in form}
    if "notes" in form:
        changes["notes"] = form["notes"].strip()
    custom = {name[3:]: (value if value.strip() else None) for name, value in form.items() if name.startswith("cf.")}
    if custom:
        changes["custom_fields"] = custom
    try:
        if "organization_id" in form:
            changes["organization_id"] = optional_int(form["organization_id"], "organization_id")
        if "org_manager_shown" in form:  # the checkbox sends nothing when unticked; admins only
            if current_user.role != "admin":
                raise BadInput("org_manager", _("only an admin may change who manages an organization"))
            changes["org_manager"] = form.get("org_manager") == "1"
        done = customers.update_customer(customer, **changes)
    except (BadInput, CustomerError) as exc:
        db.session.rollback()
        flash(_("Not saved: %(reason)s.", reason=exc), "error")
        return redirect(url_for("customers.show", customer_id=customer.id), code=303)
    if done:
        flash(_("Profile saved."), "ok")
    return redirect(url_for("customers.show", customer_id=customer.id), code=303)


@bp.post("/customers/<int:customer_id>/identities")
def add_identity(customer_id: int):
    """Attach another way to reach this customer; refuses an address that is someone else's."""
    customer = _customer_or_404(customer_id)
    kind = request.form.get("kind", "")
    address = request.form.get("address", "").strip()
    try:
        if not 1 <= len(address) <= 320:
            raise CustomerError(_("address: must be 1 to 320 characters"))
        customers.add_identity(customer, kind, address)
        db.session.commit()
    except CustomerError as exc:
        db.session.rollback()
        flash(_("Not added: %(reason)s.", reason=exc), "error")
    return redirect(url_for("customers.show", customer_id=customer.id), code=303)


@bp.post("/customers/<int:customer_id>/merge")
def merge(customer_id: int):
    """Merge this customer into another record: identities and tickets move, an audit entry stays.

    `back_to` (a same-site path) is where to go afterwards, e.g. the ticket page the one-click
    merge of a suggested duplicate was made from."""
    source = _customer_or_404(customer_id)
    back_to = request.form.get("back_to", "")
    try:
        target_id = optional_int(request.form.get("target_id", "").strip(), "target_id")
        if target_id is None:
            raise BadInput("target_id", _("give the id of the customer to keep"))
        target = _customer_or_404(target_id)
        customers.merge(source, target, actor_id=current_user.id)
    except (BadInput, CustomerError) as exc:
        db.session.rollback()
        flash(_("Not merged: %(reason)s.", reason=exc), "error")
        return redirect(url_for("customers.show", customer_id=source.id), code=303)
    flash(_("Merged %(name)s into %(name2)s.", name=source.name, name2=target.name), "ok")
    if back_to.startswith("/") and not back_to.startswith("//") and "\\" not in back_to:
        return redirect(back_to, code=303)
    return redirect(url_for("customers.show", customer_id=target.id), code=303)
