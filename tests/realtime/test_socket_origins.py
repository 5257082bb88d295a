"""The Socket.IO server admits the console's origins and the widgets'; each namespace narrows it."""

from __future__ import annotations

from helpdesk.realtime import origins as socket_origins
from helpdesk.services.webchat import widgets as webchat_widgets

ENVIRON = {"wsgi.url_scheme": "https", "HTTP_HOST": "help.example"}


def test_the_server_admits_its_own_origin_and_every_active_widgets(app, monkeypatch):
    monkeypatch.setattr(socket_origins, "WIDGET_ORIGINS_TTL", 0)
    allowed = socket_origins.server_check(app)
    assert allowed(None, ENVIRON) and allowed("https://help.example", ENVIRON)
    assert not allowed("https://shop.example", ENVIRON)
    widget = webchat_widgets.add_widget("shop", ["https://shop.example"])
    assert allowed("https://shop.example", ENVIRON)
    assert not allowed("https://evil.example", ENVIRON)
    webchat_widgets.update_widget(widget, active=False)
    assert not allowed("https://shop.example", ENVIRON)


def test_extra_console_origins_come_from_the_configuration(app):
    app.config["HELPDESK_SOCKET_ORIGINS"] = ["https://ops.example"]
    assert socket_origins.server_check(app)("https://ops.example", ENVIRON)
    with app.test_request_context():
        assert socket_origins.console_origin_allowed(dict(ENVIRON, HTTP_ORIGIN="https://ops.example"))
        assert not socket_origins.console_origin_allowed(dict(ENVIRON, HTTP_ORIGIN="https://shop.example"))
