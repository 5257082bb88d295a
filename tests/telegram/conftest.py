"""A Bot API server on 127.0.0.1 and a bot added through the real service, pointed at it."""

from __future__ import annotations

import pytest

from helpdesk.services.telegram import bots as telegram_bots
from tests.telegram.bot_api_server import TOKEN, BotApiServer


@pytest.fixture
def bot_api():
    """The local Bot API server (see bot_api_server)."""
    server = BotApiServer().start()
    yield server
    server.stop()


@pytest.fixture
def bot(app, bot_api, groups):
    """A long-polled bot whose Bot API is `bot_api`."""
    return telegram_bots.add_bot(name="acme", token=TOKEN, api_url=bot_api.url)
