"""The public survey page: one answer per link, within its time, on the kind's scale, with CSRF."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Message, Notification, Survey, Ticket, TicketEvent
from helpdesk.models.base import utcnow
from helpdesk.services.surveys import sending as surveys
from tests.surveys.conftest import PUBLIC_URL, later, surveys_of

LINK = re.compile(r"http://localhost/survey/([A-Za-z0-9_-]+)")


@pytest.fixture
def sent(enable, solved):
    """sent(kind="csat", **settings) -> (survey, token): a solved ticket's survey, sent."""

    def do(kind: str = "csat", **settings):
        enable(kind, **settings)
        ticket = solved()
        surveys.send_due(PUBLIC_URL, now=utcnow())
        survey = next(s for s in surveys_of(ticket.id) if s.kind == kind)
        token = LINK.search(db.session.get(Message, survey.message_id).body_text).group(1)
        return survey, token

    return do


def answer(client, token: str, **form):
    return client.post(f"/survey/{token}", data=form)


def test_the_link_shows_the_form_preselected_and_a_post_records_the_answer(client, sent):
    survey, token = sent()
    assert len(token) >= 43  # 32 random bytes
    page = client.get(f"/survey/{token}?score=4")
    assert page.status_code == 200
    assert re.search(r'value="4" required checked', page.get_data(as_text=True))
    response = answer(client, token, score="4", comment="Quick and kind")
    assert response.status_code == 200 and "Your rating was recorded" in response.get_data(as_text=True)
    db.session.refresh(survey)
    assert (survey.state, survey.score, survey.comment) == ("answered", 4, "Quick and kind")
    assert survey.responded_at is not None
    event = db.session.scalar(select(TicketEvent).where(TicketEvent.kind == "survey_answered"))
    assert event.data == {"survey_id": survey.id, "kind": "csat", "score": 4}


def test_a_link_answers_once_and_the_first_answer_stays(client, sent):
    survey, token = sent()
    assert answer(client, token, score="5").status_code == 200
    second = answer(client, token, score="1", comment="changed my mind")
    assert second.status_code == 409 and "already answered" in second.get_data(as_text=True)
    assert client.get(f"/survey/{token}").status_code == 409
    db.session.refresh(survey)
    assert (survey.score, survey.comment) == (5, None)


def test_an_expired_link_is_gone_and_stores_nothing(client, sent):
    survey, token = sent(expiry_days=1)
    survey.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = answer(client, token, score="5")
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    db.session.refresh(survey)
    assert (survey.state, survey.score) == ("sent", None)


@pytest.mark.parametrize("token", ["x" * 43, "short", "a" * 200])
def test_a_wrong_token_is_not_found(client, sent, token):
    survey, _ = sent()
    assert client.get(f"/survey/{token}").status_code == 404
    assert answer(client, token, score="3").status_code == 404
    db.session.refresh(survey)
    assert survey.score is None


@pytest.mark.parametrize("score", ["0", "6", "", "five", "3.5"])
def test_a_csat_score_off_the_scale_is_refused_and_nothing_is_stored(client, sent, score):
    survey, token = sent()
    response = answer(client, token, score=score, comment="my words stay")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "choose a score from 1 to 5" in body and "my words stay" in body
    db.session.refresh(survey)
    assert (survey.state, survey.score) == ("sent", None)


def test_an_nps_survey_takes_zero_to_ten(client, sent):
    survey, token = sent("nps")
    assert answer(client, token, score="11").status_code == 422
    assert answer(client, token, score="0").status_code == 200
    db.session.refresh(survey)
    assert (survey.kind, survey.score) == ("nps", 0)


def test_a_comment_is_stripped_of_markup_and_limited(client, sent):
    survey, token = sent()
    assert answer(client, token, score="3", comment="x" * 2001).status_code == 422
    assert answer(client, token, score="3", comment='<script>alert(1)</script><b>ok</b> fine').status_code == 200
    db.session.refresh(survey)
    assert survey.comment == "ok fine"


def test_the_answer_needs_the_forms_csrf_token(app, client, sent):
    survey, token = sent()
    app.config["WTF_CSRF_ENABLED"] = True
    assert answer(client, token, score="5").status_code == 400
    page = client.get(f"/survey/{token}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert answer(client, token, score="5", csrf_token=csrf).status_code == 200
    db.session.refresh(survey)
    assert survey.score == 5


def test_a_low_rating_reopens_the_ticket_when_the_rule_says_so(client, sent):
    survey, token = sent(follow_up_action="reopen", follow_up_max_score=2)
    answer(client, token, score="2", comment="not solved at all")
    db.session.expire_all()
    ticket = db.session.get(Ticket, survey.ticket_id)
    assert ticket.status == "open" and ticket.solved_at is None
    assert db.session.get(Survey, survey.id).follow_up_done == "reopened"
    kinds = [e.kind for e in db.session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id))]
    assert kinds[-3:] == ["survey_answered", "survey_follow_up", "changed"]


def test_a_rating_above_the_threshold_changes_nothing(client, sent):
    survey, token = sent(follow_up_action="reopen", follow_up_max_score=2)
    answer(client, token, score="3")
    db.session.expire_all()
    assert db.session.get(Ticket, survey.ticket_id).status == "solved"
    assert db.session.get(Survey, survey.id).follow_up_done is None


def test_a_low_rating_notifies_the_group_when_the_rule_says_so(client, sent):
    survey, token = sent(follow_up_action="notify", follow_up_max_score=2)
    answer(client, token, score="1")
    db.session.expire_all()
    ticket = db.session.get(Ticket, survey.ticket_id)
    assert ticket.status == "solved"
    (note,) = db.session.scalars(select(Notification).where(Notification.kind == "survey_low"))
    assert (note.group_id, note.ticket_id) == (ticket.group_id, ticket.id)
    assert note.text.startswith("Low CSAT rating 1 on #")
    assert db.session.get(Survey, survey.id).follow_up_done == "notified"


def test_the_email_survey_reaches_the_smtp_server_with_a_link_that_works(client, enable, solved, smtp_server):
    enable()
    ticket = solved(email="rated@example.com")
    surveys.send_due(PUBLIC_URL, now=later(ticket))
    (envelope,) = smtp_server.messages
    assert envelope.rcpt_tos == ["rated@example.com"]
    mail = email.message_from_bytes(envelope.content, policy=email.policy.default)
    # Marked automatic (RFC 3834) but answering no message of the customer's, so out-of-office
    # robots do not answer it.
    assert mail["Auto-Submitted"] == "auto-generated" and mail["Subject"] == f"How did we do? [#{ticket.number}]"
    text = mail.get_body(("plain",)).get_content()
    token = LINK.search(text).group(1)
    assert f"/survey/{token}?score=5" in text
    assert client.get(f"/survey/{token}?score=5").status_code == 200
    assert answer(client, token, score="5").status_code == 200
    assert surveys_of(ticket.id)[0].score == 5
