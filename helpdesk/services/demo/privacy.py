"""The demo's privacy records: consent from the contact form, the widget and agents (a few
customers opted out of surveys or into marketing), a pending erasure request from the portal,
and retention policies to look at on the admin page Privacy."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Customer, ErasureRequest, RetentionPolicy, Ticket
from helpdesk.models.base import utcnow
from helpdesk.services.privacy import consent

# (purpose, granted, source) per customer, in turn
CHOICES = [
    [("surveys", True, "form"), ("marketing", True, "form")],
    [("surveys", False, "widget")],
    [("surveys", True, "widget"), ("marketing", False, "agent")],
    [("marketing", True, "mail")],
    [("surveys", False, "agent"), ("marketing", False, "form")],
]


def create(limit: int = 15) -> None:
    """Consent for the first `limit` customers with tickets, one erasure request, two policies; commits."""
    ids = list(db.session.scalars(select(Customer.id).where(Customer.id.in_(select(Ticket.customer_id)))
                                  .order_by(Customer.id).limit(limit)))
    for n, customer_id in enumerate(ids):
        customer = db.session.get(Customer, customer_id)
        for purpose, granted, source in CHOICES[n % len(CHOICES)]:
            consent.set_consent(customer, purpose, granted, source, commit=False)
    if ids:
        db.session.add(ErasureRequest(customer_id=ids[-1], via="portal", state="pending", requested_at=utcnow()))
    db.session.add_all([RetentionPolicy(channel="webchat", days=365, action="anonymise", enabled=True),
                        RetentionPolicy(channel="email", days=1095, action="delete", enabled=False)])
    db.session.commit()
