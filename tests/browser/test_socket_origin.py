"""Socket.IO connections are only accepted from the console's own origin (no cross-site hijacking)."""

from __future__ import annotations

import requests


def handshake(live_server, origin: str | None):
    headers = {"Origin": origin} if origin else {}
    return requests.get(f"{live_server.url}/socket.io/?EIO=4&transport=polling", headers=headers, timeout=5)


def test_a_foreign_origin_cannot_open_a_socket(live_server):
    assert handshake(live_server, "https://evil.example").status_code == 400
    assert handshake(live_server, live_server.url).status_code == 200
