"""A local HTTP server speaking the Graph API wire format of the WhatsApp Cloud API (messages and
media endpoints, media download) and of the Messenger Send API (messages, message attachments,
profiles, files on a CDN), with bearer tokens and errors in Meta's `{"error": {...}}` shape."""

from __future__ import annotations

import base64
import email.parser
import email.policy
import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.support import free_port, serving_thread

VERSION = "v21.0"


@dataclass
class Call:
    """One request the server answered."""

    method: str
    path: str
    authorization: str | None
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


def graph_error(code: int, message: str, *, status: int = 400, subcode: int | None = None,
                details: str | None = None) -> tuple[int, dict]:
    """An error answer as Meta sends it: (HTTP status, body)."""
    error: dict = {"message": f"(#{code}) {message}", "type": "OAuthException", "code": code,
                   "fbtrace_id": "A" + uuid.uuid4().hex[:22]}
    if subcode is not None:
        error["error_subcode"] = subcode
    if details is not None:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return status, {"error": error}


class GraphServer:
    """Answers like graph.facebook.com for one access token. `failures` are answers to give to the
    next sends (and uploads) instead of accepting them; `before_send_answer` runs while a send is
    accepted but not yet answered (a provider calling back before its answer reaches us)."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.media: dict[str, tuple[bytes, str]] = {}
        self.failures: list[tuple[int, dict]] = []
        self.download_failures: list[tuple[int, dict]] = []
        self.before_send_answer: Callable[[str], None] | None = None
        self.sent: list[tuple[str, dict]] = []  # (message id, request body) of accepted messages
        self.profiles: dict[str, str] = {}  # Messenger page-scoped id -> name
        self.cdn: dict[str, tuple[bytes, str]] = {}  # files customers sent on Messenger, served without a token
        self.cdn_redirects: dict[str, str] = {}  # CDN names answered with a redirect to elsewhere
        self.media_urls: dict[str, str] = {}  # media id -> the download URL to hand out instead of ours
        self._server = ThreadingHTTPServer(("127.0.0.1", free_port()), self._handler())
        self._thread = serving_thread(self._server)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> GraphServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def add_media(self, content: bytes, mime_type: str) -> str:
        """Make a file downloadable as customers' media is; its media id."""
        media_id = str(1000000000000000 + len(self.media))
        self.media[media_id] = (content, mime_type)
        return media_id

    def add_cdn_file(self, name: str, content: bytes, mime_type: str) -> str:
        """Serve a file as Messenger's CDN does (a signed link, no token); its URL."""
        self.cdn[name] = (content, mime_type)
        return f"{self.base_url}/cdn/{name}?_nc_sid=5c3b&oh=00_AfB"

    def add_cdn_redirect(self, name: str, location: str) -> str:
        """Answer a CDN link with a redirect to `location`; the link."""
        self.cdn_redirects[name] = location
        return f"{self.base_url}/cdn/{name}?_nc_sid=5c3b&oh=00_AfB"

    def calls_to(self, suffix: str, method: str = "POST") -> list[Call]:
        return [c for c in self.calls if c.method == method and c.path.endswith(suffix)]

    # -- request handling ------------------------------------------------------------------------

    def _answer(self, method: str, path: str, headers, body: bytes) -> tuple[int, dict | bytes, str]:
        self.calls.append(Call(method, path, headers.get("Authorization"), body))
        if path.startswith("/cdn/"):
            content, mime = self.cdn.get(path[5:].partition("?")[0], (b"", ""))
            return (200, content, mime) if mime else (404, b"", "text/plain")
        if headers.get("Authorization") != f"Bearer {self.token}":
            status, error = graph_error(190, "Invalid OAuth access token - Cannot parse access token", status=401)
            return status, error, "application/json"
        parts = path.strip("/").split("/")
        if parts[0] == "download" and len(parts) == 2:
            return self._download(parts[1])
        if len(parts) < 2 or parts[0] != VERSION:
            return (*graph_error(100, "Unknown path components"), "application/json")
        if method == "POST" and len(parts) == 3 and parts[2] == "messages":
            return self._message(json.loads(body))
        if method == "POST" and len(parts) == 3 and parts[2] in ("media", "message_attachments"):
            return self._upload(headers.get("Content-Type", ""), body)
        profile = parts[1].partition("?")[0] if len(parts) == 2 else ""
        if method == "GET" and profile in self.profiles:
            return 200, {"name": self.profiles[profile], "id": profile}, "application/json"
        if method == "GET" and len(parts) == 2 and parts[1] in self.media:
            content, mime = self.media[parts[1]]
            url = self.media_urls.get(parts[1], f"{self.base_url}/download/{parts[1]}")
            return 200, {"messaging_product": "whatsapp", "url": url,
                         "mime_type": mime, "sha256": hashlib.sha256(content).hexdigest(),
                         "file_size": len(content), "id": parts[1]}, "application/json"
        return (*graph_error(100, "Unsupported get request. Object does not exist", subcode=33, status=400),
                "application/json")

    def _message(self, body: dict) -> tuple[int, dict | bytes, str]:
        if self.failures:
            return (*self.failures.pop(0), "application/json")
        if "recipient" in body:
            return self._page_message(body)
        if body.get("messaging_product") != "whatsapp" or not body.get("to") or body.get("type") not in body:
            return (*graph_error(100, "Invalid parameter"), "application/json")
        wamid = "wamid." + base64.b64encode(f"HBgL{body['to']}{uuid.uuid4().hex}".encode()).decode()
        if self.before_send_answer is not None:
            self.before_send_answer(wamid)
        self.sent.append((wamid, body))
        return 200, {"messaging_product": "whatsapp", "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                     "messages": [{"id": wamid}]}, "application/json"

    def _page_message(self, body: dict) -> tuple[int, dict | bytes, str]:
        psid, message = body["recipient"].get("id"), body.get("message") or {}
        if not psid or body.get("messaging_type") not in ("RESPONSE", "UPDATE", "MESSAGE_TAG") or not (
                message.get("text") or message.get("attachment")):
            return (*graph_error(100, "Invalid parameter", subcode=2018001), "application/json")
        message_id = "m_" + base64.urlsafe_b64encode(uuid.uuid4().bytes * 2).decode().rstrip("=")
        self.sent.append((message_id, body))
        return 200, {"recipient_id": psid, "message_id": message_id}, "application/json"

    def _upload(self, content_type: str, body: bytes) -> tuple[int, dict | bytes, str]:
        if self.failures:
            return (*self.failures.pop(0), "application/json")
        form = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body)
        fields = {part.get_param("name", header="content-disposition"): part for part in form.iter_parts()}
        if "filedata" in fields and "message" in fields:  # Messenger's attachment upload
            upload = fields["filedata"]
            media_id = self.add_media(upload.get_payload(decode=True), upload.get_content_type())
            return 200, {"attachment_id": media_id}, "application/json"
        if "file" not in fields or fields.get("messaging_product") is None:
            return (*graph_error(100, "Param file must be a file with one of the following types"), "application/json")
        media_id = self.add_media(fields["file"].get_payload(decode=True), fields["type"].get_content().strip())
        return 200, {"id": media_id}, "application/json"

    def _download(self, media_id: str) -> tuple[int, dict | bytes, str]:
        if self.download_failures:
            return (*self.download_failures.pop(0), "application/json")
        if media_id not in self.media:
            return 404, b"", "text/plain"
        content, mime = self.media[media_id]
        return 200, content, mime

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, method: str) -> None:
                redirect = server.cdn_redirects.get(self.path[5:].partition("?")[0]) if self.path.startswith("/cdn/") else None
                if redirect:
                    server.calls.append(Call(method, self.path, self.headers.get("Authorization"), b""))
                    self.send_response(302)
                    self.send_header("Location", redirect)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                length = int(self.headers.get("Content-Length") or 0)
                status, answer, content_type = server._answer(method, self.path, self.headers,
                                                              self.rfile.read(length))
                data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                self._serve("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._serve("POST")

            def log_message(self, *args) -> None:
                pass

        return Handler
