"""Deflection: suggestions while a customer writes, searches and views recorded, and whether they
still opened a ticket; the reports built from it."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from helpdesk.extensions import db
from knowledge_base import reports
from knowledge_base.models import KbDeflection, KbSearch


def _visitor(client) -> str:
    page = client.get("/contact", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert 'id="kb-deflect"' in page and "Artículos que pueden responder a tu pregunta" in page
    return re.search(r'name="kb_visitor" value="([^"]+)"', page).group(1)


def test_the_contact_form_suggests_and_records_a_ticket_opened_anyway(client, write):
    write("Requesting a refund", "Refunds take five days.")
    visitor = _visitor(client)
    for typed in ("ref", "refu", "refund please"):  # as the customer types: one search row
        data = client.get(f"/help/api/suggest?q={typed}&lang=en&visitor={visitor}&source=portal").get_json()
    assert [i["title"] for i in data["items"]] == ["Requesting a refund"]
    assert f"v={visitor}" in data["items"][0]["url"] and "src=portal" in data["items"][0]["url"]
    searches = db.session.scalars(select(KbSearch)).all()
    assert [(s.query, s.results) for s in searches] == [("refund please", 1)]
    client.get(data["items"][0]["url"].replace("http://localhost", ""))
    client.post("/contact", data={"email": "ana@example.com", "subject": "Refund", "body": "Still no refund",
                                  "kb_visitor": visitor})
    session = db.session.scalar(select(KbDeflection))
    assert (session.outcome, session.source) == ("ticket", "portal") and session.ticket_id is not None


def test_a_helpful_vote_resolves_the_session_and_reports_count_it(client, write):
    article = write("Requesting a refund", "Refunds take five days.")
    visitor = _visitor(client)
    data = client.get(f"/help/api/suggest?q=refund&lang=en&visitor={visitor}&source=portal").get_json()
    client.get(data["items"][0]["url"].replace("http://localhost", ""))
    client.post(f"/help/en/articles/{article.id}/vote?v={visitor}", data={"helpful": "yes"})
    assert db.session.scalar(select(KbDeflection.outcome)) == "resolved"
    client.get(f"/help/api/suggest?q=unicorn+saddles&lang=en&visitor={visitor}-2x&source=widget")
    overview = reports.overview(30)
    assert overview["deflection"] == {"sessions": 2, "deflected": 1, "tickets": 0, "rate": 50.0}
    assert [(r.article_id, r.count) for r in overview["deflecting"]] == [(article.id, 1)]
    assert [(r.article_id, r.count) for r in overview["top"]] == [(article.id, 1)]
    assert overview["no_results"] == [("unicorn saddles", "en", 1)]


def test_unhelpful_votes_and_an_unanswered_session_in_reports(client, login, editor, write):
    article = write("Requesting a refund", "Refunds take five days.")
    client.post(f"/help/en/articles/{article.id}/vote", data={"helpful": "no", "comment": "Says nothing about PayPal"})
    visitor = _visitor(client)
    client.get(f"/help/api/suggest?q=refund&lang=en&visitor={visitor}&source=portal")
    session = db.session.scalar(select(KbDeflection))
    session.created_at -= timedelta(hours=2)  # the visitor had time to ask and did not
    db.session.commit()
    overview = reports.overview(30)
    assert [(r.article_id, r.count, r.extra) for r in overview["unhelpful"]] == [(article.id, 1, 0)]
    assert overview["deflection"]["deflected"] == 1  # no ticket after it settled
    login(editor)
    page = client.get("/kb/reports").get_data(as_text=True)
    assert "Says nothing about PayPal" in page and "Requesting a refund" in page


def test_the_contact_form_speaks_the_browsers_language(client):
    page = client.get("/contact", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "联系客服" in page and "您的电子邮箱" in page and "发送" in page
    answer = client.post("/contact", data={"email": "x"}, headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "indica el correo electrónico al que debemos responder" in answer
    thanks = client.post("/contact", data={"email": "ana@example.com", "body": "Hola"},
                         headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Hemos recibido tu solicitud (#" in thanks


def test_a_chat_visitor_who_searched_through_the_widget_and_still_opened_a_ticket(client, inbound, write):
    write("Requesting a refund", "Refunds take five days.")
    visitor = "Wv3kq9T2xYb7LmN0pQr5sA"  # the widget's own visitor id
    client.get(f"/help/api/suggest?q=refund&lang=en&visitor={visitor}&source=widget")
    result = inbound(email=visitor, kind="webchat", channel="webchat", source="webchat", body="Still no refund")
    session = db.session.scalar(select(KbDeflection))
    assert (session.outcome, session.source, session.ticket_id) == ("ticket", "widget", result.ticket_id)
