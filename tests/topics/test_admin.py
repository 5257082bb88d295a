"""The topics admin page: admins only; refit, rename, pin, hide, merge and settings through the forms."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import AuditEntry, Topic, TopicSettings
from helpdesk.services.topics import assign


def test_only_admins_see_the_page(client, login, make_user, app):
    login(make_user("supervisor", ()))
    assert client.get("/admin/topics").status_code == 404
    assert client.post("/admin/topics/refit").status_code == 404


def test_empty_page_says_to_refit(client, login, make_user, app):
    login(make_user("admin", ()))
    page = client.get("/admin/topics").get_data(as_text=True)
    assert 'id="topics-none"' in page and "Refit now" in page


def test_an_admin_refits_and_curates_topics_through_the_page(client, login, make_user, corpus, topic_settings):
    login(make_user("admin", ()))
    response = client.post("/admin/topics/refit", follow_redirects=True)
    assert response.status_code == 200 and "Refit started" in response.get_data(as_text=True)
    page = client.get("/admin/topics").get_data(as_text=True)
    assert page.count('data-state="active"') == 9 and "退款" in page
    refunds_en, _ = assign.predict("Refund not received", "Please refund the charge on my credit card")
    refunds_es, _ = assign.predict("No he recibido el reembolso", "Quiero el reembolso del cobro de la tarjeta")
    assert client.post(f"/admin/topics/{refunds_en}", data={"action": "rename", "name": "<b>Refunds</b>"}).status_code == 302
    assert client.post(f"/admin/topics/{refunds_en}", data={"action": "pin"}).status_code == 302
    assert client.post(f"/admin/topics/{refunds_es}", data={"action": "merge", "target_id": str(refunds_en)}).status_code == 302
    page = client.get("/admin/topics").get_data(as_text=True)
    assert "&lt;b&gt;Refunds&lt;/b&gt;" in page and "<b>Refunds</b>" not in page  # escaped
    assert 'data-state="merged"' in page
    topic = db.session.get(Topic, refunds_en)
    db.session.refresh(topic)
    assert topic.pinned and db.session.get(Topic, refunds_es).merged_into_id == refunds_en
    actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("topic.%"))))
    assert {"topic.rename", "topic.pinned", "topic.merge", "topic.refit"} <= actions
    assert client.post(f"/admin/topics/{refunds_en}", data={"action": "merge", "target_id": ""}).status_code == 400
    assert client.post(f"/admin/topics/{refunds_en}", data={"action": "explode"}).status_code == 400
    assert client.post("/admin/topics/99999", data={"action": "hide"}).status_code == 404


def test_settings_are_saved_and_bad_ones_refused(client, login, make_user, app):
    login(make_user("admin", ()))
    form = {"topics": "12", "window_days": "30", "max_tickets": "5000", "refit_hours": "6", "tag_tickets": "on"}
    assert client.post("/admin/topics/settings", data=form).status_code == 302
    row = db.session.scalar(select(TopicSettings))
    db.session.refresh(row)
    assert (row.topics, row.window_days, row.max_tickets, row.refit_hours, row.tag_tickets) == (12, 30, 5000, 6, True)
    response = client.post("/admin/topics/settings", data=form | {"topics": "1"})
    assert response.status_code == 400 and "topics" in response.get_data(as_text=True)
