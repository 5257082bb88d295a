"""The widget's HTTP side (script, uploads, file links, confirmation) and the console's chat pages."""

from __future__ import annotations

import io

import pytest

from helpdesk.extensions import db
from helpdesk.models import Message, Ticket
from helpdesk.services import staff
from helpdesk.services.webchat import messages as webchat_messages
from helpdesk.services.webchat import visitors as webchat_visitors
from helpdesk.services.webchat import widgets as webchat_widgets
from helpdesk.web import widget as widget_views

SHOP = "https://shop.example"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def widget(app):
    staff.get_or_create_group("Support", is_default=True)
    db.session.commit()
    return webchat_widgets.add_widget("shop", [SHOP], group="Support")


@pytest.fixture
def visitor_token(app, widget):
    with app.test_request_context():
        return webchat_visitors.issue_token(widget, "visitor-1")


def upload(client, widget, token, content=PNG, name="shot.png", origin=SHOP, client_id="upload-1"):
    headers = {"Origin": origin} if origin else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return client.post(f"/widget/{widget.settings['key']}/upload", headers=headers,
                       data={"file": (io.BytesIO(content), name), "client_id": client_id})


def test_the_script_is_served_to_any_site(client, tmp_path, monkeypatch):
    (tmp_path / "widget.js").write_text("(()=>{})();")
    monkeypatch.setattr(widget_views, "DIST", tmp_path)
    response = client.get("/widget.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"


def test_an_unbuilt_script_says_so(client, tmp_path, monkeypatch):
    monkeypatch.setattr(widget_views, "DIST", tmp_path)
    assert client.get("/widget.js").status_code == 404


def test_a_visitor_uploads_a_picture_into_their_conversation(client, widget, visitor_token):
    preflight = client.options(f"/widget/{widget.settings['key']}/upload", headers={
        "Origin": SHOP, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"})
    assert preflight.headers["Access-Control-Allow-Origin"] == SHOP
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    response = upload(client, widget, visitor_token)
    assert response.status_code == 200, response.json
    assert response.headers["Access-Control-Allow-Origin"] == SHOP
    message = db.session.get(Message, response.json["id"])
    ticket = db.session.get(Ticket, message.ticket_id)
    assert (ticket.channel, ticket.thread_key) == ("webchat", "visitor-1")
    assert [(a.filename, a.content_type) for a in message.attachments] == [("shot.png", "image/png")]
    download = client.get(response.json["item"]["files"][0]["url"])
    assert download.status_code == 200 and download.data == PNG
    assert download.headers["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("case, status", [("no token", 401), ("forged token", 401), ("other origin", 403),
                                          ("program", 400), ("unknown key", 404)])
def test_uploads_are_refused(client, widget, visitor_token, case, status):
    if case == "unknown key":
        response = client.post("/widget/nope/upload", headers={"Origin": SHOP})
    else:
        response = upload(client, widget, None if case == "no token" else visitor_token + ("x" if case == "forged token" else ""),
                          origin="https://evil.example" if case == "other origin" else SHOP,
                          content=b"MZ\x90\x00" + b"\x00" * 64 if case == "program" else PNG)
    assert response.status_code == status
    assert response.json["ok"] is False
    if case == "other origin":
        assert "Access-Control-Allow-Origin" not in response.headers
    assert db.session.scalar(db.select(db.func.count()).select_from(Message)) == 0


def test_an_oversized_upload_is_refused(app, client, widget, visitor_token):
    app.config["HELPDESK_WEBCHAT_UPLOAD_BYTES"] = 32
    assert upload(client, widget, visitor_token).status_code == 413


def test_the_confirmation_link_proves_the_address(app, client, widget, inbound):
    webchat_messages.post(widget, "visitor-1", text="Hi", client_id="first-message")
    with app.test_request_context():
        token = webchat_visitors.confirmation_token(widget, "visitor-1", "bo@example.com")
    assert client.get(f"/widget/confirm/{token}x").status_code == 400
    response = client.get(f"/widget/confirm/{token}")
    assert response.status_code == 200 and b"bo@example.com is confirmed" in response.data
    assert webchat_visitors.verified_email("visitor-1") == "bo@example.com"


def test_the_chat_queue_shows_and_accepts_waiting_chats(client, login, make_user, widget):
    agent = make_user(name="Ana Agent")
    result = webchat_messages.post(widget, "visitor-1", text="Need help <script>", client_id="first-message",
                                   subject="Refund <b>now</b>")
    login(agent)
    page = client.get("/chats")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'id="chat-{result.ticket_id}"' in html and "Refund &lt;b&gt;now&lt;/b&gt;" in html
    assert 'id="nav-chats"' in html
    fragment = client.get("/chats?fragment=queue").get_data(as_text=True)
    assert "<html" not in fragment and f'id="chat-{result.ticket_id}"' in fragment
    accepted = client.post(f"/chats/{result.ticket_id}/accept")
    assert accepted.status_code == 303 and accepted.headers["Location"].endswith(f"/tickets/{result.ticket_id}")
    ticket = db.session.get(Ticket, result.ticket_id)
    assert ticket.assignee_id == agent.id
    colleague = make_user(name="Ben Agent")
    client.post(f"/chats/{ticket.id}/transfer", data={"assignee_id": str(colleague.id)})
    db.session.refresh(ticket)
    assert ticket.assignee_id == colleague.id


def test_a_chat_of_another_group_is_not_found(client, login, make_user, widget):
    result = webchat_messages.post(widget, "visitor-1", text="Hello", client_id="first-message")
    login(make_user(groups=("Billing",)))
    assert f'id="chat-{result.ticket_id}"' not in client.get("/chats").get_data(as_text=True)
    assert client.post(f"/chats/{result.ticket_id}/accept").status_code == 404


def test_admins_add_and_change_widgets_in_the_console(client, login, make_user, groups):
    login(make_user(role="admin"))
    response = client.post("/admin/webchat/", data={"name": "shop", "origins": "https://shop.example\nhttp://localhost:3000",
                                                     "group": "Billing", "prechat": "1", "greeting": "Hi there"})
    assert response.status_code == 303
    widget = webchat_widgets.widgets()[0]
    assert widget.settings["origins"] == ["http://localhost:3000", "https://shop.example"]
    page = client.get("/admin/webchat/").get_data(as_text=True)
    assert f'data-channel=&#34;{widget.settings["key"]}&#34;' in page  # shown as text, to copy
    client.post(f"/admin/webchat/{widget.id}", data={"origins": "https://new.example", "active": "1", "group": ""})
    db.session.refresh(widget)
    assert widget.settings["origins"] == ["https://new.example"] and widget.group_id is None
    bad = client.post("/admin/webchat/", data={"name": "blog", "origins": "not an origin"}, follow_redirects=True)
    assert b"Widget not added" in bad.data


def test_agents_do_not_see_widget_administration(client, login, make_user):
    login(make_user())
    assert client.get("/admin/webchat/").status_code == 404


def test_the_cli_adds_a_widget_and_prints_its_snippet(app, groups):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["channels", "add-webchat", "shop", "--origin", "https://shop.example", "--origin",
                                 "https://www.shop.example", "--group", "Support", "--identity-secret-stdin",
                                 "--base-url", "https://help.example"], input="a-long-identity-secret\n")
    assert result.exit_code == 0, result.output
    widget = webchat_widgets.widgets()[0]
    assert f'<script src="https://help.example/widget.js" data-channel="{widget.settings["key"]}" async></script>' in result.output
    assert webchat_widgets.identity_secret(widget) == "a-long-identity-secret"
    refused = runner.invoke(args=["channels", "add-webchat", "blog", "--origin", "blog.example"])
    assert refused.exit_code != 0 and "origin" in refused.output


def test_the_cli_prints_the_tag_on_the_public_url_with_a_title_colour_and_corner(app, groups):
    app.config["HELPDESK_PUBLIC_URL"] = "https://support.shop.example"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["channels", "add-webchat", "shop-eu", "--origin", "https://shop.example",
                                 "--title", "  Shop   help ", "--colour", "#0A7D4F", "--position", "bottom-left"])
    assert result.exit_code == 0, result.output
    widget = webchat_widgets.widgets()[0]
    tag = f'<script src="https://support.shop.example/widget.js" data-channel="{widget.settings["key"]}" async></script>'
    assert tag in result.output and "127.0.0.1" not in result.output
    assert (widget.name, widget.settings["title"], widget.settings["colour"], widget.settings["position"]) == (
        "shop-eu", "Shop help", "#0a7d4f", "bottom-left")
    plain = runner.invoke(args=["channels", "add-webchat", "blog", "--origin", "https://blog.example"])
    assert plain.exit_code == 0 and webchat_widgets.public_config(webchat_widgets.widgets()[0], False)["title"] == "Chat with us"
    for bad in (["--colour", "red"], ["--colour", "#12345"], ["--position", "top-left"], ["--title", "t" * 61]):
        refused = runner.invoke(args=["channels", "add-webchat", "other", "--origin", "https://o.example", *bad])
        assert refused.exit_code != 0, bad
    assert len(webchat_widgets.widgets()) == 2
    help_text = runner.invoke(args=["channels", "add-webchat", "--help"]).output
    assert "NAME is a slug" in help_text and "--title" in help_text and "HELPDESK_PUBLIC_URL" in help_text


def test_admins_set_the_title_colour_and_corner_and_see_the_public_url(app, client, login, make_user, groups):
    app.config["HELPDESK_PUBLIC_URL"] = "https://support.shop.example"
    login(make_user(role="admin"))
    client.post("/admin/webchat/", data={"name": "shop", "origins": "https://shop.example", "title": "Shop help",
                                         "colour": "#0a7d4f", "position": "bottom-left"})
    widget = webchat_widgets.widgets()[0]
    page = client.get("/admin/webchat/").get_data(as_text=True)
    assert "https://support.shop.example/widget.js" in page and "Shop help" in page
    client.post(f"/admin/webchat/{widget.id}", data={"origins": "https://shop.example", "active": "1", "group": "",
                                                     "title": "Help desk", "colour": "#AA0000", "position": "bottom-right"})
    db.session.refresh(widget)
    assert (widget.settings["title"], widget.settings["colour"], widget.settings["position"]) == (
        "Help desk", "#aa0000", "bottom-right")
    bad = client.post(f"/admin/webchat/{widget.id}", data={"origins": "https://shop.example", "colour": "javascript:1"},
                      follow_redirects=True)
    assert b"Widget not changed: colour" in bad.data
