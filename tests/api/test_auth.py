"""Authentication: a bearer token and nothing else; JSON errors; no CSRF token needed for it."""

from __future__ import annotations

import pytest

from helpdesk.extensions import db
from helpdesk.models import User

ENDPOINTS = [
    ("GET", "/api/v1/tickets"),
    ("POST", "/api/v1/tickets"),
    ("GET", "/api/v1/tickets/1"),
    ("PATCH", "/api/v1/tickets/1"),
    ("POST", "/api/v1/tickets/1/replies"),
    ("POST", "/api/v1/tickets/1/merge"),
    ("POST", "/api/v1/tickets/1/messages/1/retry"),
    ("GET", "/api/v1/customers"),
    ("POST", "/api/v1/customers"),
    ("GET", "/api/v1/customers/1"),
    ("PATCH", "/api/v1/customers/1"),
    ("POST", "/api/v1/customers/1/merge"),
]
NEW_TICKET = {"customer": {"email": "maria@customer.example"}, "body": "hello"}


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_every_endpoint_refuses_a_request_without_a_token(client, method, path):
    response = client.open(path, method=method, json={})
    assert response.status_code == 401
    assert response.get_json()["code"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer hd_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "hd_token"])
def test_an_unknown_or_malformed_token_is_refused(client, header):
    response = client.get("/api/v1/tickets", headers={"Authorization": header})
    assert response.status_code == 401 and response.is_json


def test_the_token_of_a_deactivated_user_is_refused(client, agent, token_for):
    token = token_for(agent)
    assert client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    agent.active = False
    db.session.commit()
    assert client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {token}"}).status_code == 401


@pytest.fixture
def browser(app_config, agent):
    """A client of a second app with CSRF protection on, whose requests each run in their own app
    context as in production, plus test routes: sign the agent in with Flask-Login, say who the
    session belongs to, and a form post that needs a CSRF token."""
    from flask_login import current_user

    from helpdesk import create_app
    from helpdesk.web.auth import start_session

    other = create_app(dict(app_config, WTF_CSRF_ENABLED=True))
    agent_id = agent.id

    def sign_in():
        start_session(db.session.get(User, agent_id))  # as the sign-in form does: user and browser session
        return "signed in"

    other.add_url_rule("/_test/sign-in", "test_sign_in", sign_in)
    other.add_url_rule("/_test/whoami", "test_whoami",
                       lambda: str(current_user.id) if current_user.is_authenticated else "anonymous")
    other.add_url_rule("/_test/form", "test_form", lambda: "posted", methods=["POST"])
    yield other.test_client()
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_signed_in_browser_session_alone_does_not_authenticate_api_calls(browser, agent):
    browser.get("/_test/sign-in")
    assert browser.get("/_test/whoami").text == str(agent.id)  # the session cookie is valid
    for method, path in ENDPOINTS:
        response = browser.open(path, method=method, json=NEW_TICKET)
        assert response.status_code == 401, (method, path, response.get_json())


def test_api_writes_need_no_csrf_token_because_they_need_a_bearer_token(browser, agent, token_for):
    assert browser.post("/_test/form").status_code == 400  # CSRF protection is on in this app
    response = browser.post("/api/v1/tickets", json=NEW_TICKET, headers={"Authorization": f"Bearer {token_for(agent)}"})
    assert response.status_code == 201, response.get_json()


def test_unknown_api_paths_and_methods_answer_json(api):
    assert api.get("/no-such-thing").status_code == 404 and api.get("/no-such-thing").is_json
    response = api.client.delete("/api/v1/tickets", headers=api.headers)
    assert response.status_code == 405 and response.get_json()["code"] == 405


def test_malformed_json_is_a_json_error(api):
    response = api.client.post("/api/v1/tickets", data="{not json", headers=api.headers,
                               content_type="application/json")
    assert response.status_code in (400, 422) and response.get_json()["code"] == response.status_code
