"""No e-mail survey to an address that bounced lately, on whichever ticket, until it writes again.

The bounce is real: our reply leaves through aiosmtpd, a Postfix-style delivery report about it
arrives in the Dovecot mailbox and the mail sync marks the reply failed.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from helpdesk.extensions import db
from helpdesk.models import Message, Ticket
from helpdesk.services import replies, tickets
from helpdesk.services.mail import sync as mail_sync
from helpdesk.services.surveys import sending as surveys
from tests.mail.conftest import mailbox, make_mail  # noqa: F401 - a support mailbox on Dovecot
from tests.mail.test_email_round_trip import dsn
from tests.surveys.conftest import PUBLIC_URL, later, surveys_of

GONE = "gone@customer.example"


@pytest.fixture
def bounced(mailbox, dovecot, smtp_server, agent):  # noqa: F811 - the mailbox fixture imported above
    """bounced(recipient=GONE) -> the ticket of GONE whose reply bounced with a report naming `recipient`."""

    def do(recipient: str = GONE) -> Ticket:
        dovecot.deliver(mailbox.user, make_mail(sender=GONE, subject="Where is my parcel?"))
        (ticket_id,) = mail_sync.sync_mailbox(mailbox.id).tickets
        reply = replies.add_reply(db.session.get(Ticket, ticket_id), agent, body="It is on its way.")
        db.session.refresh(reply)
        dovecot.deliver(mailbox.user, dsn(reply.provider_id, recipient))
        mail_sync.sync_mailbox(mailbox.id)
        db.session.refresh(reply)
        assert reply.delivery_state == "failed"
        return db.session.get(Ticket, ticket_id)

    return do


def earlier_ticket(inbound) -> Ticket:
    """A ticket GONE opened from the web form before their mailbox failed."""
    return db.session.get(Ticket, inbound(email=GONE, body="A question from the web form").ticket_id)


def survey_state(ticket: Ticket, agent, now=None) -> tuple[str, str | None]:
    """Solve `ticket`, run the sender at `now` (just after the solve), the survey's (state, skip reason)."""
    tickets.update_ticket(ticket, agent, status="solved")
    (survey,) = surveys_of(ticket.id)
    surveys.send_due(PUBLIC_URL, now=now or later(ticket))
    db.session.refresh(survey)
    return survey.state, survey.skip_reason


def test_a_bounce_on_another_ticket_skips_the_survey_as_bounced(enable, bounced, inbound, agent, smtp_server):
    enable()
    other = earlier_ticket(inbound)
    first = bounced()
    assert other.id != first.id and other.customer_id == first.customer_id
    mails_before = len(smtp_server.messages)
    assert survey_state(other, agent) == ("skipped", "the customer's address bounced")
    assert len(smtp_server.messages) == mails_before


def test_mail_from_the_address_after_the_bounce_lets_the_survey_go(enable, bounced, inbound, agent):
    enable()
    other = earlier_ticket(inbound)
    bounced()
    inbound(email=GONE, body="I fixed my mailbox, sorry")  # the address works again
    assert survey_state(other, agent) == ("sent", None)


def test_a_bounce_naming_another_address_does_not_count(enable, bounced, inbound, agent):
    enable()
    other = earlier_ticket(inbound)
    bounced(recipient="someone.gone@customer.example")
    assert survey_state(other, agent) == ("sent", None)


def test_an_old_bounce_is_forgotten(enable, bounced, inbound, agent):
    enable()
    other = earlier_ticket(inbound)
    first = bounced()
    failed = db.session.scalar(db.select(Message).where(Message.ticket_id == first.id, Message.kind == "outbound"))
    assert survey_state(other, agent, failed.created_at + surveys.BOUNCE_MEMORY + timedelta(minutes=1)) == ("sent", None)
