"""The demo's customer portal: Globex, an organization whose manager María López sees her own
tickets (an e-mail one and a phone call) and her colleague Tom's, with an internal note on hers
that the portal never shows. `helpdesk portal link --email maria@globex.example` signs in."""

from __future__ import annotations

from datetime import timedelta

from channels.base import InboundMessage, Sender
from helpdesk.extensions import db
from helpdesk.models import Organization, Ticket, User
from helpdesk.models.base import clock_at, utcnow
from helpdesk.services import customers, replies
from helpdesk.services.channel_accounts import DEMO_SOURCE
from helpdesk.services.ingest import ingest

MANAGER = "maria@globex.example"
COLLEAGUE = "tom@globex.example"


def create(agent: User) -> None:
    """Globex with María as its portal manager, a phone ticket of hers, and one of her colleague's."""
    org = Organization(name="Globex", domain="globex.example")
    db.session.add(org)
    db.session.flush()
    maria = customers.find_identity("email", MANAGER).customer
    maria.organization_id, maria.org_manager = org.id, True
    db.session.commit()
    now = utcnow()
    # Words of the history's kinds of request, so the topics found in it cover these too.
    calls = [(MANAGER, "María López", "phone", "Upgrade Globex to the Pro plan",
              "María phoned: is the Pro plan billed monthly or yearly? She'd like to upgrade 25 seats.", 5),
             (COLLEAGUE, "Tom Walker", "web", "App crashes on startup on the new laptops",
              "The app closes right after the splash screen on our new laptops.", 3)]
    for address, name, channel, subject, body, hours in calls:
        with clock_at(now - timedelta(hours=hours)):
            result = ingest(InboundMessage(channel=channel, source=DEMO_SOURCE, external_id=f"demo-portal-{channel}",
                                           sender=Sender(kind="email", address=address, name=name), subject=subject,
                                           body_text=body))
        ticket = db.session.get(Ticket, result.ticket_id)
        with clock_at(now - timedelta(hours=hours - 1)):
            replies.add_reply(ticket, agent, body="Internal: check the discount with sales first.", internal=True)
            message = replies.add_reply(ticket, agent, body="Thanks! We are on it and will get back to you today.")
            replies.deliver(message.id)
    tom = customers.find_identity("email", COLLEAGUE).customer
    tom.organization_id = org.id
    db.session.commit()
