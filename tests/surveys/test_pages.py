"""Console pages: the survey admin (admins only, validated) and the survey on the ticket's page."""

from __future__ import annotations

import re

from helpdesk.extensions import db
from helpdesk.models import SurveySettings, SurveyTemplate
from helpdesk.models.base import utcnow
from helpdesk.services.surveys import answers as survey_answers
from helpdesk.services.surveys import sending as surveys
from tests.surveys.conftest import PUBLIC_URL, surveys_of

SETTINGS = {"enabled": "1", "delay_minutes": "45", "channels": ["email", "telegram"], "min_days_between": "10",
            "expiry_days": "5", "follow_up_action": "notify", "follow_up_max_score": "2"}


def test_an_admin_saves_a_kinds_settings(client, login, make_user):
    login(make_user(role="admin"))
    assert client.get("/admin/surveys").status_code == 200
    assert client.post("/admin/surveys/settings/csat", data=SETTINGS).status_code == 302
    row = db.session.scalar(db.select(SurveySettings).where(SurveySettings.kind == "csat"))
    assert (row.enabled, row.delay_minutes, row.channels, row.min_days_between, row.expiry_days) == (
        True, 45, ["email", "telegram"], 10, 5)
    assert row.follow_up == {"action": "notify", "max_score": 2}


def test_out_of_range_settings_are_refused_and_nothing_changes(client, login, make_user):
    login(make_user(role="admin"))
    for field, value in (("delay_minutes", "-1"), ("expiry_days", "0"), ("follow_up_max_score", "6"),
                         ("channels", ["carrier-pigeon"]), ("follow_up_action", "delete")):
        response = client.post("/admin/surveys/settings/csat", data=SETTINGS | {field: value})
        assert response.status_code == 400, field
    row = db.session.scalar(db.select(SurveySettings).where(SurveySettings.kind == "csat"))
    assert row.enabled is False and row.delay_minutes == 60


def test_agents_do_not_reach_the_survey_admin(client, login, make_user):
    login(make_user(role="agent"))
    assert client.get("/admin/surveys").status_code == 404
    assert client.post("/admin/surveys/settings/csat", data=SETTINGS).status_code == 404


def test_an_admin_adds_and_deletes_a_template_in_another_language(client, login, make_user):
    login(make_user(role="admin"))
    form = {"kind": "csat", "language": "de", "subject": "Wie war unser Service? [#{ticket_number}]",
            "body": "Hallo {customer_name}, bitte bewerten Sie uns: {link}", "question": "Wie zufrieden sind Sie?"}
    assert client.post("/admin/surveys/templates", data=form | {"body": "no link here"}).status_code == 400
    assert client.post("/admin/surveys/templates", data=form | {"subject": "{secret}"}).status_code == 400
    assert client.post("/admin/surveys/templates", data=form).status_code == 302
    assert client.post("/admin/surveys/templates", data=form).status_code == 400  # one per kind and language
    german = db.session.scalar(db.select(SurveyTemplate).where(SurveyTemplate.language == "de"))
    assert german.question == "Wie zufrieden sind Sie?"
    english = db.session.scalar(db.select(SurveyTemplate).where(SurveyTemplate.language == "en",
                                                                SurveyTemplate.kind == "csat"))
    assert client.post(f"/admin/surveys/templates/{english.id}/delete").status_code == 400
    assert client.post(f"/admin/surveys/templates/{german.id}/delete").status_code == 302
    assert db.session.get(SurveyTemplate, german.id) is None


def test_the_ticket_page_shows_the_answered_survey(client, login, enable, solved, agent):
    enable()
    ticket = solved()
    surveys.send_due(PUBLIC_URL, now=utcnow())
    (survey,) = surveys_of(ticket.id)
    survey_answers.record(survey, 2, "<i>Too slow</i>")
    login(agent)
    page = client.get(f"/tickets/{ticket.id}?stay=1").get_data(as_text=True)
    section = re.search(r'<section class="ticket-surveys".*?</section>', page, re.S).group(0)
    assert 'data-survey-state="answered"' in section and '<strong class="survey-score">2</strong>' in section
    assert "Too slow" in section and "<i>" not in section
