"""Fixtures for the Messenger channel: the local Graph API server, a Page pointed at it, and a
signed webhook poster."""

from __future__ import annotations

import pytest

from helpdesk.services.meta import messenger_pages
from tests.messenger import events
from tests.whatsapp import payloads
from tests.whatsapp.graph_server import GraphServer

PAGE_TOKEN = "EAAJpage-token"
APP_SECRET = "7f3e2d1c0b9a88776655443322110099"


@pytest.fixture
def graph():
    server = GraphServer(PAGE_TOKEN).start()
    server.profiles[events.PSID] = events.NAME
    yield server
    server.stop()


@pytest.fixture
def page(app, graph, groups):
    created, _ = messenger_pages.add_page(name="tienda", page_id=events.PAGE_ID, access_token=PAGE_TOKEN,
                                          app_secret=APP_SECRET, verify_token="page-verify",
                                          api_base_url=graph.base_url)
    return created


@pytest.fixture
def post_webhook(client, page):
    page_id = page.id

    def post(payload: dict, secret: str = APP_SECRET):
        body, headers = payloads.signed(payload, secret)
        return client.post(f"/webhooks/messenger/{page_id}", data=body, headers=headers)

    return post
