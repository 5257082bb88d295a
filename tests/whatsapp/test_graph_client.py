"""The Graph API client and adapter against a local server speaking the wire format: bearer
tokens, link sends, media download limits, unreachable servers, and tokens kept on their host."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from channels.base import DeliveryError
from channels.whatsapp.adapter import WhatsAppChannel
from channels.whatsapp.graph import GraphAccount, GraphClient
from channels.whatsapp.parser import MediaRef
from tests.https_server import HttpsServer, pose_as_public
from tests.support import free_port, serving_thread
from tests.whatsapp.conftest import ACCESS_TOKEN
from tests.whatsapp.payloads import PHONE_NUMBER_ID


@pytest.fixture
def adapter(graph) -> WhatsAppChannel:
    return WhatsAppChannel(GraphAccount(PHONE_NUMBER_ID, ACCESS_TOKEN, graph.base_url))


def test_a_file_can_be_sent_by_public_link_without_upload(adapter, graph):
    wamid = adapter.send_link("34600123456", "image", "https://cdn.example.com/plano.png", caption="El plano")
    ((sent_id, body),) = graph.sent
    assert sent_id == wamid and graph.calls_to("/media") == []
    assert body["image"] == {"link": "https://cdn.example.com/plano.png", "caption": "El plano"}


def test_a_wrong_token_is_a_permanent_error_naming_the_token(graph):
    stranger = WhatsAppChannel(GraphAccount(PHONE_NUMBER_ID, "not-the-token", graph.base_url))
    with pytest.raises(DeliveryError) as caught:
        stranger.send_text("34600123456", "hola")
    assert not caught.value.retryable and "access token" in caught.value.reason


def test_a_download_larger_than_the_limit_is_refused_for_good(adapter, graph):
    media_id = graph.add_media(b"x" * 5000, "video/mp4")
    with pytest.raises(DeliveryError) as caught:
        adapter.fetch_media(MediaRef(media_id, "video", "video/mp4", "clip.mp4"), max_bytes=4999)
    assert not caught.value.retryable and "larger than 4999 bytes" in caught.value.reason
    assert adapter.fetch_media(MediaRef(media_id, "video", "video/mp4", "clip.mp4"), max_bytes=5000).content == b"x" * 5000


def test_an_unreachable_api_is_retryable():
    client = GraphClient("t", base_url=f"http://127.0.0.1:{free_port()}", timeout=2)
    with pytest.raises(DeliveryError) as caught:
        client.get_json("123")
    assert caught.value.retryable and "unreachable" in caught.value.reason


def test_the_token_follows_a_redirect_on_the_same_host_but_never_to_another(monkeypatch):
    seen: dict[str, str | None] = {}
    other = HttpsServer().start()
    pose_as_public(monkeypatch, other)
    other.files["f"] = b"other"
    home = ThreadingHTTPServer(("127.0.0.1", free_port()), _recorder(seen, "home", redirect=other.url("/file/f")))
    serving_thread(home).start()
    base = f"http://127.0.0.1:{home.server_port}"
    try:
        content, _ = GraphClient("secret-token", base_url=base).download(f"{base}/media", 100)
    finally:
        for server in (home, other):
            server.shutdown() if server is home else server.stop()
        home.server_close()
    assert content == b"other"
    assert seen == {"home": "Bearer secret-token"} and [s.authorization for s in other.seen] == [None]


def test_a_media_url_outside_the_api_base_on_an_inside_address_is_refused_for_good(graph):
    client = GraphClient(ACCESS_TOKEN, base_url=graph.base_url)
    for url in (f"http://127.0.0.1:{free_port()}/media", "file:///etc/passwd", "http://169.254.169.254/latest"):
        with pytest.raises(DeliveryError) as caught:
            client.download(url, 100)
        assert not caught.value.retryable and "not allowed" in caught.value.reason


def _recorder(seen: dict, name: str, redirect: str | None = None):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            seen[name] = self.headers.get("Authorization")
            if redirect:
                self.send_response(302)
                self.send_header("Location", redirect)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(name)))
            self.end_headers()
            self.wfile.write(name.encode())

        def log_message(self, *args) -> None:
            pass

    return Handler
