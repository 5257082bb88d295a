"""Customer pages of the console: search, profile with identities and history, merge."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import exists, or_, select

from channels.base import IDENTITY_KINDS
from helpdesk.extensions import db
from helpdesk.models import Customer, Identity, Ticket
from helpdesk.services import customers, tickets
from helpdesk.services.customers import CustomerError
from helpdesk.web.common import BadInput, get_or_404, optional_int, preload

bp = Blueprint("customers", __name__)
PAGE_SIZE = 50


@bp.before_request
@login_required
def _signed_in():
    """Every customer page needs a signed-in staff member."""


@bp.get("/customers")
def list_customers():
    """Customers by name or any identity address, newest first, keyset-paginated by id."""
    q = (request.args.get("q") or "").strip()[:200]
    before = request.args.get("before", type=int)
    query = select(Customer).where(Customer.merged_into_id.is_(None))
    if q:
        pattern = f"%{q.replace('%', '').replace('_', '')}%"
        query = query.where(or_(Customer.name.ilike(pattern), exists().where(
            Identity.customer_id == Customer.id, Identity.address.ilike(pattern))))
    if before:
        query = query.where(Customer.id < before)
    rows = list(db.session.scalars(query.order_by(Customer.id.desc()).limit(PAGE_SIZE + 1)))
    items = rows[:PAGE_SIZE]
    list(db.session.scalars(select(Identity).where(Identity.customer_id.in_([c.id for c in items]))))
    next_before = items[-1].id if len(rows) > PAGE_SIZE else None
    return render_template("customers/list.html", customers=items, q=q, next_before=next_before)


def _customer_or_404(customer_id: int) -> Customer:
    customer = get_or_404(Customer, customer_id)
    return customer


@bp.get("/customers/<int:customer_id>")
def show(customer_id: int):
    """Profile, identities on every channel, and every ticket this agent may see."""
    customer = _customer_or_404(customer_id)
    if customer.merged_into_id is not None:
        flash(f"Customer {customer.name} was merged into this record.", "ok")
        return redirect(url_for("customers.show", customer_id=customer.merged_into_id))
    history = list(db.session.scalars(
        tickets.visible_to(current_user).where(Ticket.customer_id == customer.id).order_by(Ticket.created_at.desc())
    ))
    preload(history)
    return render_template("customers/page.html", customer=customer, history=history, identity_kinds=IDENTITY_KINDS)


@bp.post("/customers/<int:customer_id>/identities")
def add_identity(customer_id: int):
    """Attach another way to reach this customer; refuses an address that is someone else's."""
    customer = _customer_or_404(customer_id)
    kind = request.form.get("kind", "")
    address = request.form.get("address", "").strip()
    try:
        if not 1 <= len(address) <= 320:
            raise CustomerError("address: must be 1 to 320 characters")
        customers.add_identity(customer, kind, address)
        db.session.commit()
    except CustomerError as exc:
        db.session.rollback()
        flash(f"Not added: {exc}.", "error")
    return redirect(url_for("customers.show", customer_id=customer.id), code=303)


@bp.post("/customers/<int:customer_id>/merge")
def merge(customer_id: int):
    """Merge this customer into another record: identities and tickets move, an audit entry stays."""
    source = _customer_or_404(customer_id)
    try:
        target_id = optional_int(request.form.get("target_id", "").strip(), "target_id")
        if target_id is None:
            raise BadInput("target_id", "give the id of the customer to keep")
        target = db.session.get(Customer, target_id)
        if target is None:
            abort(404)
        customers.merge(source, target, actor_id=current_user.id)
    except (BadInput, CustomerError) as exc:
        db.session.rollback()
        flash(f"Not merged: {exc}.", "error")
        return redirect(url_for("customers.show", customer_id=source.id), code=303)
    flash(f"Merged into {target.name}.", "ok")
    return redirect(url_for("customers.show", customer_id=target.id), code=303)
