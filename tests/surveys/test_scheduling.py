"""A solve schedules one survey per enabled kind after its delay; the sender sends or skips it once."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Message, Survey, Ticket
from helpdesk.services import replies, tickets
from helpdesk.services.surveys import sending as surveys
from tests.surveys.conftest import PUBLIC_URL, later, surveys_of


def test_a_solve_schedules_each_enabled_kind_after_its_delay_credited_to_the_solver(enable, solved, agent):
    enable("csat", delay_minutes=30)
    enable("nps", delay_minutes=120)
    ticket = solved()
    csat, nps = surveys_of(ticket.id)
    assert (csat.kind, csat.state, csat.scheduled_for) == ("csat", "scheduled", ticket.solved_at + timedelta(minutes=30))
    assert (nps.kind, nps.scheduled_for) == ("nps", ticket.solved_at + timedelta(minutes=120))
    assert (csat.agent_id, csat.customer_id, csat.channel) == (agent.id, ticket.customer_id, "email")
    assert surveys.send_due(PUBLIC_URL, now=later(ticket, 29)) == {}
    assert surveys.send_due(PUBLIC_URL, now=later(ticket, 30)) == {csat.id: "sent"}


def test_nothing_is_scheduled_while_surveys_are_off(solved):
    assert surveys_of(solved().id) == []


def test_the_same_solve_is_scheduled_once_however_often_it_is_announced(enable, solved, agent):
    enable()
    ticket = solved()
    assert surveys.schedule_for_solve(ticket.id, agent.id) == []
    tickets.update_ticket(ticket, agent, status="closed")  # solved -> closed is the same solve
    assert len(surveys_of(ticket.id)) == 1


def test_a_second_solve_after_a_reopen_gets_its_own_survey_and_the_first_is_skipped(enable, solved, agent):
    enable(min_days_between=0)
    ticket = solved()
    tickets.update_ticket(ticket, agent, status="open")
    tickets.update_ticket(ticket, agent, status="solved")
    first, second = surveys_of(ticket.id)
    assert surveys.send_due(PUBLIC_URL, now=later(ticket, 1)) == {first.id: "skipped", second.id: "sent"}
    db.session.refresh(first)
    assert first.skip_reason == "the ticket was reopened before the survey went out"


def test_a_due_survey_is_sent_as_an_automatic_message_once(enable, solved):
    enable()
    ticket = solved()
    (survey,) = surveys_of(ticket.id)
    assert surveys.send_due(PUBLIC_URL, now=later(ticket)) == {survey.id: "sent"}
    assert surveys.send_due(PUBLIC_URL, now=later(ticket, 5)) == {}
    assert surveys.send(survey.id, PUBLIC_URL) is None
    db.session.refresh(survey)
    message = db.session.get(Message, survey.message_id)
    assert message.is_automated and message.kind == "outbound" and message.ticket_id == ticket.id
    assert f"{PUBLIC_URL}/survey/" in message.body_text and f"/{ticket.id}" not in message.body_text.split("/survey/")[1]
    assert survey.expires_at == survey.sent_at + timedelta(days=14) and len(survey.token_hash) == 64
    assert db.session.scalar(select(db.func.count()).select_from(Message).where(Message.ticket_id == ticket.id,
                                                                                 Message.is_automated)) == 1


def test_two_senders_racing_send_one_survey(enable, solved, app):
    enable()
    ticket = solved()
    (survey,) = surveys_of(ticket.id)
    barrier, results = threading.Barrier(2), []

    def sender():
        with app.app_context():
            barrier.wait()
            results.append(surveys.send(survey.id, PUBLIC_URL, now=later(ticket)))
            db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results, key=str) == [None, "sent"]
    db.session.commit()  # a fresh read: the senders committed in other sessions
    count = db.session.scalar(select(db.func.count()).select_from(Message).where(Message.ticket_id == ticket.id,
                                                                                  Message.is_automated))
    assert count == 1


def test_a_customer_surveyed_within_the_limit_is_skipped(enable, solved):
    enable(min_days_between=7)
    first = solved()
    surveys.send_due(PUBLIC_URL, now=later(first))
    second = solved(body="Another question")
    assert second.id != first.id
    (survey,) = surveys_of(second.id)
    assert surveys.send_due(PUBLIC_URL, now=later(second)) == {survey.id: "skipped"}
    db.session.refresh(survey)
    assert survey.skip_reason == "the customer got a csat survey in the last 7 day(s)"
    other = solved(email="someone.else@example.com")
    assert list(surveys.send_due(PUBLIC_URL, now=later(other)).values()) == ["sent"]


def test_a_customer_whose_last_message_was_an_auto_reply_is_skipped(enable, solved):
    enable()
    ticket = solved(is_automated=True)
    (survey,) = surveys_of(ticket.id)
    assert surveys.send_due(PUBLIC_URL, now=later(ticket)) == {survey.id: "skipped"}
    db.session.refresh(survey)
    assert survey.skip_reason == "the customer's last message was an automatic reply"


def test_a_customer_whose_address_bounced_is_skipped(enable, inbound, agent, smtp_server):
    enable()
    ticket = db.session.get(Ticket, inbound(email="gone@example.com").ticket_id)
    reply = replies.add_reply(ticket, agent, body="Here is the answer.")
    db.session.refresh(reply)
    assert reply.delivery_state == "sent"
    db.session.commit()  # end this read: the delivery job wrote through its own session
    replies.mark_bounced(reply.provider_id, "550 5.1.1 no such user")
    tickets.update_ticket(ticket, agent, status="solved")
    (survey,) = surveys_of(ticket.id)
    assert surveys.send_due(PUBLIC_URL, now=later(ticket)) == {survey.id: "skipped"}
    db.session.refresh(survey)
    assert survey.skip_reason == "the customer's address bounced"


def test_a_channel_not_enabled_for_surveys_is_skipped(enable, solved):
    enable(channels=["telegram"])
    ticket = solved()
    (survey,) = surveys_of(ticket.id)
    assert surveys.send_due(PUBLIC_URL, now=later(ticket)) == {survey.id: "skipped"}
    db.session.refresh(survey)
    assert survey.skip_reason == "surveys are not sent through email"


def test_unanswered_surveys_expire(enable, solved):
    enable(expiry_days=2)
    ticket = solved()
    surveys.send_due(PUBLIC_URL, now=later(ticket))
    (survey,) = surveys_of(ticket.id)
    assert surveys.expire(now=survey.sent_at + timedelta(days=1)) == 0
    assert surveys.expire(now=survey.sent_at + timedelta(days=2)) == 1
    assert db.session.get(Survey, survey.id).state == "expired"
