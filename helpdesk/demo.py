"""Demo data for a first look: staff in two groups, customers on several channels, tickets."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from channels.base import InboundMessage, Sender
from helpdesk.extensions import db
from helpdesk.models import Customer, PriorityRule, User
from helpdesk.models.tickets import PRIORITIES
from helpdesk.services import customers, replies, staff
from helpdesk.services.ingest import ingest

PASSWORD = "demo-password"
STAFF = [
    ("admin@example.com", "Alex Admin", "admin", ["Support", "Billing"]),
    ("supervisor@example.com", "Sam Supervisor", "supervisor", ["Support", "Billing"]),
    ("ana@example.com", "Ana Agent", "agent", ["Support"]),
    ("ben@example.com", "Ben Billing", "agent", ["Billing"]),
]
CONVERSATIONS = [
    ("email", "maria@globex.example", "María López", "Cannot log in after password reset", "Hi, since resetting my password this morning the login page just reloads. Can you help?"),
    ("telegram", "421337", "Kenji", None, "Hello! Is the Pro plan billed monthly or yearly?"),
    ("whatsapp", "+34 600 123 456", "Lucía", None, "My order #5521 hasn't arrived yet, it's been 10 days"),
    ("webchat", "visitor-8f2a", "Website visitor", None, "Do you integrate with Shopify?"),
    ("email", "ops@initech.example", "Initech Ops", "URGENT: API returning 500 for all requests", "Our production integration is down, every call returns HTTP 500 since 09:12 UTC."),
    ("email", "li.wei@example.org", "Li Wei", "Invoice VAT number missing", "Could you re-issue invoice INV-2291 with our VAT number DE123456789?"),
]


def load() -> bool:
    """Create the demo data once; returns False when staff already exist."""
    if db.session.scalar(select(User.id).limit(1)) is not None:
        return False
    for email, name, role, groups in STAFF:
        staff.create_user(email=email, name=name, role=role, password=PASSWORD, groups=groups)
    billing = staff.get_or_create_group("Billing")
    db.session.add(PriorityRule(position=1, name="Outages are urgent", conditions={"keywords": ["urgent", "down", "outage"]},
                                set_priority=PRIORITIES["urgent"]))
    db.session.add(PriorityRule(position=2, name="Invoices go to Billing", conditions={"keywords": ["invoice", "billed", "refund"]},
                                set_group_id=billing.id))
    db.session.commit()
    for n, (kind, address, name, subject, body) in enumerate(CONVERSATIONS):
        channel = "web" if kind == "email" else kind
        ingest(InboundMessage(channel=channel, source=f"demo-{kind}", external_id=f"demo-{n}",
                              sender=Sender(kind=kind, address=address, name=name), subject=subject, body_text=body))
    vip = db.session.scalar(select(Customer).where(Customer.name == "Initech Ops"))
    vip.tier = "vip"
    customers.add_identity(vip, "phone", "+1 555 0100")
    db.session.commit()
    agent = db.session.scalar(select(User).where(User.email == "ana@example.com"))
    first = replies.message_ticket(db.session.scalar(select(replies.Message).order_by(replies.Message.id).limit(1)))
    replies.add_reply(first, agent, body="Thanks María, could you tell me which browser you use?", internal=True)
    return True


def print_logins(echo: Callable[[str], None]) -> None:
    """Print the demo sign-ins."""
    echo(f"demo logins (password: {PASSWORD}):")
    for email, _name, role, groups in STAFF:
        echo(f"  {email:<24} {role:<10} {', '.join(groups)}")
