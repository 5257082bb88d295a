"""Survey templates take only the documented placeholders, bare."""

from __future__ import annotations

import pytest

from helpdesk.services.surveys import settings as survey_settings

GOOD = {"subject": "How did we do on #{ticket_number}?", "body": "Hello {customer_name},\n{link}",
        "question": "How did we do?"}


def test_a_template_with_the_documented_placeholders_is_saved(app):
    template = survey_settings.save_template("csat", "de", GOOD)
    assert (template.language, template.body) == ("de", GOOD["body"])


@pytest.mark.parametrize("body", ["{link} {unknown}", "{link} {link.__class__}", "{link} {ticket_number[0]}",
                                  "{link} {customer_name!r}", "{link} {customer_name:>40}", "{link} {", "{link} {0}"])
def test_anything_else_in_braces_is_refused_and_nothing_saved(app, body):
    with pytest.raises(survey_settings.SurveySettingsError) as refused:
        survey_settings.save_template("csat", "de", GOOD | {"body": body})
    assert refused.value.field == "body" and "placeholders" in refused.value.message
    assert [t.language for t in survey_settings.templates("csat")] == ["en"]
