"""Portal sign-in: a one-time link mailed through the real SMTP path (single use, 15 minutes, the
same answer for unknown addresses, rate limited), sessions apart from the console's, sign-out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import PortalSignIn
from tests.support import mailed_path


def _ask(client, email: str, lang: str = "en"):
    return client.post(f"/portal/{lang}/sign-in", data={"email": email})


def _page_text(response) -> str:
    return response.get_data(as_text=True)


def test_a_known_address_gets_a_link_that_signs_in_once(app, client, inbound, smtp_server):
    inbound(email="ana@example.com", name="Ana Pérez", body="My order is late")
    answer = _ask(client, "Ana@Example.com")
    assert answer.status_code == 200 and "sign-in link is on its way" in _page_text(answer)
    assert len(smtp_server.messages) == 1 and smtp_server.messages[0].rcpt_tos == ["ana@example.com"]
    path = mailed_path(smtp_server.messages[0].content, "/portal/en/sign-in/")
    assert client.get(path).status_code == 200  # opening the link (or a mail scanner doing so) uses nothing
    signed = client.post(path)
    assert signed.status_code == 303 and signed.headers["Location"].endswith("/portal/en/")
    cookie = client.get_cookie("helpdesk_portal", path="/portal")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    home = client.get("/portal/en/")
    assert home.status_code == 200 and "My order is late" in _page_text(home)
    other = app.test_client()
    again = other.post(path)
    assert again.status_code == 410 and 'data-reason="used"' in _page_text(again)
    assert other.get(path).status_code == 410
    assert other.get("/portal/en/").status_code == 302  # the second browser stays signed out


def test_an_unknown_address_gets_the_very_same_answer_and_no_mail(app, client, inbound, smtp_server):
    inbound(email="ana@example.com")
    known, unknown = _ask(client, "ana@example.com"), _ask(app.test_client(), "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert _page_text(known).replace("ana@example.com", "X") == _page_text(unknown).replace("nobody@example.com", "X")
    assert [m.rcpt_tos for m in smtp_server.messages] == [["ana@example.com"]]


def test_an_expired_link_is_refused(app, client, inbound, smtp_server):
    inbound(email="ana@example.com")
    _ask(client, "ana@example.com")
    path = mailed_path(smtp_server.messages[0].content, "/portal/en/sign-in/")
    link = db.session.scalar(select(PortalSignIn))
    link.created_at, link.expires_at = link.created_at - timedelta(minutes=16), link.expires_at - timedelta(minutes=16)
    db.session.commit()
    refused = client.post(path)
    assert refused.status_code == 410 and 'data-reason="expired"' in _page_text(refused)
    assert client.get("/portal/en/").status_code == 302


def test_a_forged_link_is_refused(client):
    assert client.post("/portal/en/sign-in/not-a-token").status_code == 410


def test_an_address_gets_a_handful_of_links_an_hour_and_then_the_same_answer_without_mail(app, client, inbound,
                                                                                          smtp_server):
    app.config["HELPDESK_PORTAL_LINKS_PER_HOUR"] = 2
    inbound(email="ana@example.com")
    answers = [_ask(client, "ana@example.com") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert len({_page_text(a) for a in answers}) == 1
    assert len(smtp_server.messages) == 2


@pytest.fixture
def rate_limits_on(app_config):
    app_config["RATELIMIT_ENABLED"] = True
    app_config["HELPDESK_PORTAL_SIGN_IN_RATE_LIMIT"] = "3 per minute"


def test_sign_in_requests_are_rate_limited_per_client_address(rate_limits_on, app, inbound, smtp_server):
    from helpdesk.extensions import limiter

    limiter.reset()
    client = app.test_client()
    answers = [_ask(client, f"someone{i}@example.com") for i in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert "please wait a few minutes" in _page_text(answers[-1])


def test_a_mistyped_address_is_a_clear_422(client):
    answer = _ask(client, "not an address")
    assert answer.status_code == 422 and "Enter your e-mail address." in _page_text(answer)


def test_portal_and_console_sessions_are_apart(app, client, inbound, smtp_server, make_user, groups, login):
    inbound(email="ana@example.com")
    _ask(client, "ana@example.com")
    client.post(mailed_path(smtp_server.messages[0].content, "/portal/en/sign-in/"))
    assert client.get("/tickets").status_code == 302  # a customer is not staff
    staff = app.test_client()
    user = make_user()
    assert staff.post("/login", data={"email": user.email, "password": "correct horse battery"}).status_code == 302
    assert staff.get("/portal/en/").status_code == 302  # nor is staff a customer
    signed_out = client.post("/portal/en/sign-out")
    assert signed_out.status_code == 303
    assert client.get("/portal/en/").status_code == 302


def test_the_portal_speaks_the_browsers_language(client):
    assert client.get("/portal/", headers={"Accept-Language": "es-MX,es;q=0.9"}).headers["Location"].endswith("/portal/es/")
    assert client.get("/portal/", headers={"Accept-Language": "fil"}).headers["Location"].endswith("/portal/tl/")
    assert client.get("/portal/", headers={"Accept-Language": "de"}).headers["Location"].endswith("/portal/en/")
    assert client.get("/portal/fr/sign-in").status_code == 404
    page = client.get("/portal/es/sign-in")
    assert '<html lang="es">' in _page_text(page) and "Enviarme un enlace" in _page_text(page)
    assert "Magpadala" in _page_text(client.get("/portal/tl/sign-in"))
    assert "登录链接" in _page_text(client.get("/portal/zh/sign-in"))


def test_the_mailed_link_is_in_the_pages_language(client, inbound, smtp_server):
    inbound(email="ana@example.com")
    _ask(client, "ana@example.com", lang="es")
    assert mailed_path(smtp_server.messages[0].content, "/portal/es/sign-in/")


@pytest.fixture
def csrf_on(app_config):
    app_config["WTF_CSRF_ENABLED"] = True


def test_portal_forms_need_the_csrf_token(csrf_on, app, inbound, smtp_server):
    ticket = inbound(email="ana@example.com")
    client = app.test_client()
    assert client.post("/portal/en/sign-in", data={"email": "ana@example.com"}).status_code == 400
    assert smtp_server.messages == []
    page = client.get("/portal/en/sign-in").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post("/portal/en/sign-in", data={"email": "ana@example.com", "csrf_token": token}).status_code == 200
    path = mailed_path(smtp_server.messages[0].content, "/portal/en/sign-in/")
    assert client.post(path).status_code == 400  # the link itself is used only with the page's token
    assert client.post(path, data={"csrf_token": token}).status_code == 303
    assert client.post(f"/portal/en/tickets/{ticket.ticket_id}/close").status_code == 400
