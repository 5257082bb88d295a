"""Words several things share in English but a language says by what they name (msgctxt): a
survey "answered" is "respondida" in Spanish, a call "atendida"; an internal article "interno", an
internal note "interna"; a call "missed" is not an SLA target missed; "none" is "ninguna" for an
organization, a category or skills."""

from __future__ import annotations

import html

import pytest
from flask import render_template_string

from helpdesk.extensions import db
from helpdesk.i18n import catalogues, gettext, in_language, labels
from helpdesk.models import Ticket

# (language, survey answered, call answered, article internal, the note's checkbox)
READINGS = [
    ("es", "respondida", "atendida", "interno", "Nota interna"),
    ("zh", "已回复", "已接听", "内部", "内部备注"),
    ("tl", "nasagutan", "sinagot", "panloob", "Panloob na tala"),
]


@pytest.mark.parametrize(("language", "survey", "call", "article", "note"), READINGS)
def test_a_survey_answered_and_a_call_answered_read_apart(app, language, survey, call, article, note):
    with app.test_request_context(), in_language(language):
        assert labels.survey_state_name("answered") == survey
        assert labels.call_state_name("answered") == call
        assert labels.article_visibility_name("internal") == article
        assert gettext("Internal note") == note


def test_a_missed_call_is_not_a_missed_sla_target_and_a_survey_agrees_in_gender(app):
    with app.test_request_context(), in_language("es"):
        assert labels.call_state_name("missed") == "perdida"
        assert labels.sla_state_name("missed") == "no cumplido"
        assert (labels.survey_state_name("sent"), labels.delivery_name("sent")) == ("enviada", "enviado")
        assert (labels.survey_state_name("failed"), labels.webhook_state_name("failed")) == ("fallida", "fallido")
    with app.test_request_context(), in_language("zh"):
        assert (labels.call_state_name("missed"), labels.sla_state_name("missed")) == ("未接", "未达标")


def test_templates_say_words_with_a_context(app):
    page = "{{ pgettext('tickets, counted', 'open') }}|{{ _('open') }}|{{ survey_state_name('answered') }}"
    with app.test_request_context(), in_language("es"):
        assert render_template_string(page) == "abiertos|abierto|respondida"
    with app.test_request_context(), in_language("en"):
        assert render_template_string(page) == "open|open|answered"


def test_extraction_keeps_each_context_apart():
    extracted = catalogues.extract()
    for msgid, context in (
        ("answered", "survey state"),
        ("answered", "call state"),
        ("internal", "article visibility"),
        ("open", "tickets, counted"),
    ):
        assert extracted.get(msgid, context=context) is not None, (msgid, context)
    assert extracted.get("answered") is None  # every place that says it says what it names


def test_the_catalogue_check_names_a_contexted_word_left_untranslated():
    catalog = catalogues.read("es")
    catalog.get("answered", context="survey state").string = ""
    assert catalogues.untranslated(catalog) == [("answered", "survey state")]


@pytest.mark.parametrize(
    ("language", "feminine", "internal"),
    [("es", "ninguna", "interno"), ("zh", "无", "内部"), ("en", "none", "internal")],
)
def test_no_organization_category_or_skill_agrees_with_what_it_names(
    client, groups, inbound, reader, language, feminine, internal
):
    ticket = db.session.get(Ticket, inbound(email="eve@example.com", subject="Nothing").ticket_id)
    reader(language, role="admin")
    customer = html.unescape(client.get(f"/customers/{ticket.customer_id}").get_data(as_text=True))
    editor = html.unescape(client.get("/kb/articles/new").get_data(as_text=True))
    routing = html.unescape(client.get("/admin/routing").get_data(as_text=True))
    assert f'<select name="organization_id"><option value="">{feminine}</option>' in customer
    assert f'<select name="category_id"><option value="">{feminine}</option>' in editor
    assert f'<option value="internal">{internal}</option>' in editor
    assert f"{feminine}</td>" in routing  # an agent without skills
