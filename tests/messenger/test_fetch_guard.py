"""A signed Messenger webhook names the attachment URL, so it must not make the server fetch
whatever it names: local files, loopback, private networks, names that resolve to them, and
redirects there are refused; the message still becomes a ticket and says which file was not
downloaded and why."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask import current_app
from sqlalchemy import func, select

from channels import safe_fetch
from helpdesk.extensions import db
from helpdesk.models import Attachment, Message, Ticket
from tests.messenger import events
from tests.support import free_port, serving_thread


@pytest.fixture
def inside():
    """A server on this machine that must never be reached (what an attacker wants to read):
    it counts the requests it receives."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            hits.append(self.path)
            body = b"internal admin data"
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    serving_thread(server).start()
    server.hits = hits
    yield server
    server.shutdown()
    server.server_close()


def _only_message() -> Message:
    db.session.commit()
    return db.session.scalars(select(Message)).one()


def _refused(post_webhook, url: str) -> Message:
    assert post_webhook(events.attachment("image", url)).status_code == 200
    message = _only_message()
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 1  # the message is not lost
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0
    assert "could not be downloaded" in message.body_text, message.body_text
    return message


def test_the_signing_key_file_is_never_stored_as_an_attachment(post_webhook, app, caplog):
    # Before the fix, urllib's file handler read this file and the key became an attachment.
    key_file = current_app.instance_path + "/secret_key"
    with open(key_file) as handle:
        key = handle.read().strip()
    message = _refused(post_webhook, f"file://{key_file}")
    assert key not in message.body_text
    assert "not allowed" in message.body_text
    assert any("not downloaded" in r.getMessage() and key not in r.getMessage() for r in caplog.records)


def test_loopback_and_metadata_addresses_in_every_spelling_are_refused(post_webhook, inside):
    spellings = ["http://127.0.0.1:{port}/a.png", "http://[::1]:{port}/a.png", "http://2130706433:{port}/a.png",
                 "http://0x7f000001:{port}/a.png", "http://0177.0.0.1:{port}/a.png", "http://localhost:{port}/a.png",
                 "https://127.0.0.1:{port}/a.png", "http://[::ffff:127.0.0.1]:{port}/a.png",
                 "http://169.254.169.254/latest/meta-data/iam"]
    urls = [u.format(port=inside.server_port) for u in spellings]
    payload = events.page(events.from_customer("message", {"mid": events.mid(), "text": "mira las fotos", "attachments": [
        {"type": "image", "payload": {"url": url}} for url in urls]}))
    assert post_webhook(payload).status_code == 200
    message = _only_message()
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0
    notes = message.body_text.splitlines()
    assert notes[0] == "mira las fotos" and len(notes) == 1 + len(urls)
    assert all("could not be downloaded" in note for note in notes[1:]), notes
    assert inside.hits == []


def test_a_public_looking_name_that_resolves_to_a_private_address_is_refused(post_webhook, inside, monkeypatch):
    monkeypatch.setattr(safe_fetch, "resolve", lambda host, port: ["10.1.2.3"] if host == "cdn.example.net" else [])
    message = _refused(post_webhook, "https://cdn.example.net/a.png")
    assert "10.1.2.3" in message.body_text


def test_a_redirect_from_the_provider_to_an_inside_address_is_refused(post_webhook, graph, inside):
    url = graph.add_cdn_redirect("387164_n.png", f"http://127.0.0.1:{inside.server_port}/a.png")
    _refused(post_webhook, url)
    assert [c.path.partition("?")[0] for c in graph.calls if c.path.startswith("/cdn/")] == ["/cdn/387164_n.png"]
    assert inside.hits == []


def test_a_signed_delivery_with_a_lone_surrogate_is_a_400_and_nothing_is_stored(client, page):
    import json

    from channels.whatsapp.signature import sign
    from tests.messenger.conftest import APP_SECRET

    body = json.dumps(events.text("hola \udc00")).encode()
    response = client.post(f"/webhooks/messenger/{page.id}", data=body, headers={
        "Content-Type": "application/json", "X-Hub-Signature-256": sign(body, APP_SECRET)})
    assert (response.status_code, response.get_data(as_text=True)) == (400, "not JSON")
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0
