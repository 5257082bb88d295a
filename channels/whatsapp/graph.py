"""What WhatsApp and Messenger share to talk to the Graph API: a small client (stdlib HTTP; JSON
calls, multipart upload, file download, authorised with the account's bearer token; failures raise
`GraphError`), the account it calls as, and sending a reply made of several messages."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.client import HTTPException
from urllib.parse import urlsplit

from channels import safe_fetch
from channels.base import DeliveryError, DeliveryReceipt
from channels.whatsapp.errors import GraphError, from_response

DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_VERSION = "v21.0"
TIMEOUT_SECONDS = 20.0


class _KeepTokenOnHost(urllib.request.HTTPRedirectHandler):
    """Follows redirects, but never carries the bearer token to another host."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and urlsplit(newurl).netloc != urlsplit(req.full_url).netloc:
            new.remove_header("Authorization")
        return new


_opener = urllib.request.build_opener(_KeepTokenOnHost)


class GraphClient:
    """Calls `{base_url}/{version}/{path}` with `access_token`; the base URL points tests (or a
    proxy) elsewhere."""

    def __init__(self, access_token: str, *, base_url: str = DEFAULT_BASE_URL, version: str = DEFAULT_VERSION,
                 timeout: float = TIMEOUT_SECONDS) -> None:
        self.access_token = access_token
        self.base_url = base_url.rstrip("/")
        self.version = version.strip("/")
        self.timeout = timeout

    def url(self, path: str) -> str:
        """The full address of the Graph API node or edge `path` (e.g. "123/messages")."""
        return f"{self.base_url}/{self.version}/{path.lstrip('/')}"

    def post_json(self, path: str, body: dict) -> dict:
        """POST `body` as JSON to `path`; the decoded JSON answer."""
        data = json.dumps(body).encode()
        return self._json(self._request(self.url(path), data, "application/json"))

    def post_multipart(self, path: str, fields: dict[str, str], *, filename: str, content: bytes,
                       content_type: str, file_field: str = "file") -> dict:
        """POST a multipart form (`fields` plus one file under the name `file_field`) to `path`."""
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
                 for name, value in fields.items()]
        quoted = filename.replace('"', "").replace("\r", "").replace("\n", "")
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{quoted}"\r\n'
                     f"Content-Type: {content_type}\r\n\r\n".encode() + content + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        request = self._request(self.url(path), b"".join(parts), f"multipart/form-data; boundary={boundary}")
        return self._json(request)

    def get_json(self, path: str) -> dict:
        """GET `path`; the decoded JSON answer."""
        return self._json(self._request(self.url(path)))

    def download(self, url: str, max_bytes: int, *, authorized: bool = True) -> tuple[bytes, str]:
        """The bytes and content type at `url` (a media URL the API handed out, or a webhook named),
        at most `max_bytes`, fetched under channels.safe_fetch's rules (https, public addresses;
        URLs under this client's base URL are exempt); without the bearer token when not
        `authorized` (a signed CDN link needs none). A refused URL is a permanent GraphError."""
        headers = {"Authorization": f"Bearer {self.access_token}"} if authorized else {}
        try:
            fetched = safe_fetch.fetch(url, max_bytes=max_bytes, timeout=self.timeout, headers=headers,
                                       trusted_base=self.base_url)
        except safe_fetch.FetchError as exc:
            if exc.status is not None:
                raise from_response(exc.status, exc.body) from None
            raise GraphError(exc.reason, retryable=exc.retryable) from None
        return fetched.content, fetched.content_type

    def _request(self, url: str, data: bytes | None = None, content_type: str | None = None, *,
                 authorized: bool = True) -> urllib.request.Request:
        headers = {"User-Agent": "helpdesk"}
        if authorized:
            headers["Authorization"] = f"Bearer {self.access_token}"
        if content_type:
            headers["Content-Type"] = content_type
        return urllib.request.Request(url, data=data, headers=headers, method="POST" if data is not None else "GET")

    def _json(self, request: urllib.request.Request) -> dict:
        body, _ = self._call(request, 10 * 1024 * 1024)
        try:
            answer = json.loads(body)
        except ValueError:
            raise GraphError(f"Graph API answered with something other than JSON: {body[:120]!r}",
                             retryable=True) from None
        if not isinstance(answer, dict):
            raise GraphError("Graph API answered with JSON that is not an object", retryable=True)
        return answer

    def _call(self, request: urllib.request.Request, max_bytes: int) -> tuple[bytes, str]:
        if urlsplit(request.full_url).scheme not in ("http", "https"):  # urllib would read file:// too
            raise GraphError("the Graph API base URL must be an http(s) URL", retryable=False)
        try:
            with _opener.open(request, timeout=self.timeout) as response:
                body = response.read(max_bytes + 1)
                content_type = response.headers.get_content_type()
        except urllib.error.HTTPError as exc:
            body = exc.read(64 * 1024)
            exc.close()
            raise from_response(exc.code, body) from None
        except (urllib.error.URLError, HTTPException, OSError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise GraphError(f"Graph API unreachable: {reason}", retryable=True) from None
        if len(body) > max_bytes:
            raise GraphError(f"the file is larger than {max_bytes} bytes", retryable=False)
        return body, content_type


@dataclass(frozen=True)
class GraphAccount:
    """One account on Meta's platform: the id it sends as (a WhatsApp phone number id, a Page id),
    its access token, and where the API lives."""

    sender_id: str
    access_token: str
    api_base_url: str = DEFAULT_BASE_URL
    api_version: str = DEFAULT_VERSION

    @classmethod
    def from_settings(cls, settings: dict, key: str) -> GraphAccount:
        """Read a channel account's adapter settings ({"settings": {`key`, api_base_url,
        api_version}, "secrets": {access_token}}); DeliveryError when the id or token is missing."""
        public, sealed = settings.get("settings") or {}, settings.get("secrets") or {}
        if not public.get(key) or not sealed.get("access_token"):
            raise DeliveryError(f"the account has no {key} or access token", retryable=False)
        return cls(str(public[key]), sealed["access_token"], public.get("api_base_url") or DEFAULT_BASE_URL,
                   public.get("api_version") or DEFAULT_VERSION)

    def client(self) -> GraphClient:
        """A client calling the API as this account."""
        return GraphClient(self.access_token, base_url=self.api_base_url, version=self.api_version)


def send_in_parts(parts: Iterable[Callable[[], str]]) -> DeliveryReceipt:
    """Send a reply made of several messages (text pieces, then files), each part a call that
    returns its message id; the receipt names the first. Once a part went out, a later failure is
    permanent, so that a retry never sends the customer the same part twice."""
    sent: list[str] = []
    try:
        for send in parts:
            sent.append(send())
    except GraphError as exc:
        if not sent:
            raise
        raise DeliveryError(f"{len(sent)} part(s) sent (first {sent[0]}), then: {exc.reason}", retryable=False) from exc
    if not sent:
        raise DeliveryError("nothing to send", retryable=False)
    return DeliveryReceipt(provider_id=sent[0])
