"""Fixtures for the WhatsApp channel: a local Graph API server, an account pointed at it, and a
signed webhook poster."""

from __future__ import annotations

import pytest

from helpdesk.services.meta import whatsapp_accounts
from tests.whatsapp import payloads
from tests.whatsapp.graph_server import GraphServer

ACCESS_TOKEN = "EAAGm0PX4ZCpsBAKtest-token"
APP_SECRET = "0c6d9f1e2b3a4c5d6e7f8091a2b3c4d5"
VERIFY_TOKEN = "verify-me-please"


@pytest.fixture
def graph():
    server = GraphServer(ACCESS_TOKEN).start()
    yield server
    server.stop()


@pytest.fixture
def account(app, graph, groups):
    created, _ = whatsapp_accounts.add_account(
        name="support-es", phone_number_id=payloads.PHONE_NUMBER_ID, access_token=ACCESS_TOKEN, app_secret=APP_SECRET,
        verify_token=VERIFY_TOKEN, api_base_url=graph.base_url)
    return created


@pytest.fixture
def post_webhook(client, account):
    """post_webhook(payload, secret=APP_SECRET, headers=None) -> response of a signed delivery."""

    own_id = account.id  # read now: the poster may run in another thread, outside the app context

    def post(payload: dict, secret: str = APP_SECRET, headers: dict | None = None, to: int | None = None):
        body, signed_headers = payloads.signed(payload, secret)
        return client.post(f"/webhooks/whatsapp/{to or own_id}", data=body,
                           headers=signed_headers if headers is None else headers)

    return post
