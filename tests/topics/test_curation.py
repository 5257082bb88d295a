"""Rename, merge, pin and hide, and what each does across a refit."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import AuditEntry, TicketTopic, Topic
from helpdesk.services.topics import assign, curation, refit
from tests.topics.conftest import GROUPS


def _topic_of_text(subject: str, body: str) -> int:
    topic_id, _ = assign.predict(subject, body)
    assert topic_id is not None
    return topic_id


def _tickets(topic_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(TicketTopic).where(TicketTopic.topic_id == topic_id))


def test_a_renamed_topic_keeps_its_name_and_id_across_a_refit(app, corpus, topic_settings):
    refit.refit()
    password = _topic_of_text("Password reset link expired", "I cannot log in after the password reset")
    curation.rename(password, "  Sign-in   trouble ")
    assert db.session.get(Topic, password).title == "Sign-in trouble"
    result = refit.refit(seed=1)
    assert result.kept == GROUPS and result.new == 0
    assert _topic_of_text("Password reset link expired", "I cannot log in after the password reset") == password
    assert db.session.get(Topic, password).name == "Sign-in trouble"
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.target_type == "topic")) == "topic.rename"


def test_merged_topics_stay_merged_after_a_refit(app, corpus, topic_settings):
    refit.refit()
    en = _topic_of_text("Refund not received", "Please refund the charge on my credit card")
    es = _topic_of_text("No he recibido el reembolso", "Quiero el reembolso del cobro en mi tarjeta de crédito")
    assert en != es
    before = _tickets(en) + _tickets(es)
    assert curation.merge(es, en).id == en
    assert _tickets(es) == 0 and _tickets(en) == before
    # At once (the model's map moved) and after a refit (the refit's Spanish topic matches the merged one).
    assert _topic_of_text("Solicito el reembolso", "Reembolso del cobro en mi tarjeta de crédito") == en
    refit.refit(seed=2)
    assert _topic_of_text("Solicito el reembolso", "Reembolso del cobro en mi tarjeta de crédito") == en
    assert _tickets(es) == 0 and _tickets(en) == before
    with pytest.raises(curation.TopicError):
        curation.merge(en, en)
    with pytest.raises(curation.TopicError):
        curation.merge(es, en)  # already merged


def test_a_pinned_topic_survives_a_refit_that_no_longer_finds_it(app, corpus, topic_settings, inbound):
    refit.refit()
    delivery = _topic_of_text("Where is my package?", "The order has not arrived")
    other = _topic_of_text("Refund not received", "Please refund the charge on my credit card")
    curation.set_flag(delivery, "pinned", True)
    # The next refit reads only the newest tickets, none of them about deliveries.
    settings = refit.settings()
    settings.max_tickets = 40
    db.session.commit()
    for n in range(40):
        subject, body = (("Refund not received", "Refund my credit card charge") if n % 2 else
                         ("Password reset link expired", "I cannot log in after the password reset"))
        inbound(email=f"r{n}@example.com", subject=subject, body=f"{body} {n}")
    result = refit.refit()
    topic = db.session.get(Topic, delivery)
    assert topic.active and topic.pinned and result.retired > 0
    assert _topic_of_text("Where is my package?", "The order has not arrived") == delivery
    # Unpinned topics the refit did not find again are retired, their tickets kept.
    retired = db.session.scalars(select(Topic).where(Topic.active.is_(False))).all()
    assert retired and all(not t.pinned for t in retired)
    assert db.session.get(Topic, other).active  # found again: refunds are still written about


def test_a_hidden_topic_stays_hidden_after_a_refit_and_tags_nothing(app, corpus, topic_settings, inbound):
    from helpdesk.models import Ticket

    refit.refit()
    curation.update_settings({"tag_tickets": "on"})
    noise = _topic_of_text("No puedo iniciar sesión", "La contraseña no funciona al iniciar sesión")
    curation.set_flag(noise, "hidden", True)
    refit.refit(seed=3)
    assert db.session.get(Topic, noise).hidden
    result = inbound(email="h@example.com", subject="No puedo iniciar sesión", body="La contraseña no funciona")
    assert db.session.get(TicketTopic, result.ticket_id).topic_id == noise
    assert db.session.get(Ticket, result.ticket_id).tags == []


def test_bad_settings_and_names_are_refused(app, topic_settings):
    with pytest.raises(curation.TopicError) as bad:
        curation.update_settings({"topics": "1"})
    assert bad.value.field == "topics"
    with pytest.raises(curation.TopicError):
        curation.update_settings({"window_days": "ten"})
    with pytest.raises(curation.TopicError):
        curation.rename(12345, "x")
