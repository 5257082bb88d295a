"""The one way the server fetches a URL that came from outside (a file a customer sent, a media
link a provider handed out, a webhook subscriber's endpoint): GET (or `post`) over https only, to public addresses only, within a size and a
time cap.

Why each rule: a webhook payload names the URL, so without them anyone who can post one makes the
server read its own files (`file://`), its loopback services, the cloud metadata endpoint
(169.254.169.254) or the office network, and store the answer as an attachment.

- The host is resolved once, every address it resolves to must be public (`is_public`), and the
  connection goes to that address (the Host header and TLS SNI/certificate still name the host), so
  a DNS answer cannot change between the check and the connect. Numeric spellings (2130706433,
  0x7f000001, 0177.0.0.1) and `localhost` are resolved like any name, so they are caught as what
  they resolve to.
- Redirects are followed here, at most MAX_REDIRECTS, and each target is checked like the first
  URL; headers (the bearer token) are only sent again to the same scheme, host and port.
- The body is streamed and abandoned past `max_bytes`; the whole fetch (resolving, connecting,
  redirects, reading) must end within `timeout` seconds.
- A provider base URL an admin configured (a self-hosted or fake Graph/Bot API, often plain http
  on a private address) is the one exception: a URL under `trusted_base` may be http and may reach
  that address. Nothing else on that host is.

Pure stdlib, no Flask: channels/ and helpdesk/ both use it.
"""

from __future__ import annotations

import http.client
import ipaddress
import posixpath
import socket
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from urllib.parse import unquote, urljoin, urlsplit

MAX_REDIRECTS = 5
DEFAULT_TIMEOUT = 20.0
_CHUNK = 64 * 1024
_REDIRECTS = (301, 302, 303, 307, 308)
# Prefixes that carry an IPv4 address inside an IPv6 one (NAT64); the embedded address is checked too.
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"),)
_LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")  # a network's own translators
_resolver = ThreadPoolExecutor(max_workers=4, thread_name_prefix="safe-fetch-dns")


class FetchError(Exception):
    """The fetch failed. `retryable`: the same fetch may work later (network trouble, a 5xx);
    `status` and `body` (its first 64 KiB) are the server's answer when it gave a non-2xx one.
    `reason` names the host at most, never the URL (which may carry a token)."""

    def __init__(self, reason: str, *, retryable: bool, status: int | None = None, body: bytes = b"") -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.status = status
        self.body = body


class FetchRefused(FetchError):
    """The URL (or a redirect) is not one the server may fetch: never retryable."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, retryable=False)


@dataclass(frozen=True)
class Fetched:
    """What a fetch brought back: the body, its media type (without parameters) and the final URL."""

    content: bytes
    content_type: str
    url: str
    status: int = 200


def is_public(address: str) -> bool:
    """Whether `address` (an IPv4 or IPv6 literal) is a public unicast address: not loopback,
    private, link-local, multicast, reserved, unspecified, shared (100.64/10) or documentation
    space, also when it hides in an IPv4-mapped, 6to4, Teredo or NAT64 IPv6 address."""
    try:
        ip = ipaddress.ip_address(address.partition("%")[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        # An IPv4 address carried in an IPv6 one is reached at that IPv4 address: judge it by that
        # (the same on every Python version, whose tables for these prefixes differ).
        if ip.ipv4_mapped is not None:
            return is_public(str(ip.ipv4_mapped))
        if any(ip in net for net in _NAT64):
            return is_public(str(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)))
        if ip.is_site_local or ip in _LOCAL_NAT64 or not all(is_public(str(v4)) for v4 in (ip.sixtofour, *(ip.teredo or ())) if v4):
            return False
    return not (ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast or ip.is_reserved
                or ip.is_unspecified) and ip.is_global


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (the system resolver, as the connect would use it).
    Tests replace this to point public-looking names anywhere."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def connect(address: str, port: int, timeout: float) -> socket.socket:
    """A TCP connection to exactly `address`:`port` (never a name, so nothing resolves again)."""
    return socket.create_connection((address, port), timeout=timeout)


def tls_context() -> ssl.SSLContext:
    """The TLS settings for https fetches: the system's trusted CAs, host names checked."""
    return ssl.create_default_context()


def under_base(url: str, base: str | None) -> bool:
    """Whether `url` lies under the provider base URL `base` (same scheme, host and port, and a
    path inside the base's path with no dot segments that could climb out of it)."""
    if not base:
        return False
    target, root = urlsplit(url), urlsplit(base)
    try:
        same_origin = (target.scheme, target.hostname, target.port) == (root.scheme, root.hostname, root.port)
    except ValueError:
        return False
    path, prefix = unquote(target.path) or "/", root.path.rstrip("/") + "/"
    climbs = posixpath.normpath(path) != path.rstrip("/") and path != "/"
    return same_origin and not climbs and not target.username and (path + "/").startswith(prefix)


def fetch(url: str, *, max_bytes: int, timeout: float = DEFAULT_TIMEOUT, headers: dict[str, str] | None = None,
          trusted_base: str | None = None) -> Fetched:
    """GET `url` under the rules above; the body (at most `max_bytes`). FetchRefused when the URL,
    a redirect or an address is not allowed; FetchError when the server failed or answered
    non-2xx, or the body is too large or too slow."""
    deadline = time.monotonic() + timeout
    sent_headers = {"User-Agent": "helpdesk", **(headers or {})}
    origin = _origin(url)
    for _ in range(MAX_REDIRECTS + 1):
        target = _check(url, trusted_base, deadline)
        kind = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
        connection = kind(target, timeout=_remaining(deadline, target.host))
        # Socket timeouts bound each wait, not the sum of them: at the deadline the socket is shut.
        watchdog = threading.Timer(_remaining(deadline, target.host), _abort, (connection,))
        watchdog.daemon = True
        watchdog.start()
        try:
            response = _get(connection, target, sent_headers, deadline)
            if response.status in _REDIRECTS and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location", ""))
                if _origin(url) != origin:  # a credential is for its own origin only
                    sent_headers = {k: v for k, v in sent_headers.items() if k.lower() not in ("authorization", "cookie")}
                continue
            if not 200 <= response.status < 300:
                body = _read(response, connection, 64 * 1024, deadline, truncate=True)
                raise FetchError(f"{target.host} answered HTTP {response.status}", status=response.status, body=body,
                                 retryable=response.status >= 500 or response.status in (408, 429))
            content = _read(response, connection, max_bytes, deadline)
            return Fetched(content, response.headers.get_content_type(), url)
        finally:
            watchdog.cancel()
            connection.close()
    raise FetchRefused(f"more than {MAX_REDIRECTS} redirects")


def post(url: str, body: bytes, *, headers: dict[str, str] | None = None, timeout: float = 10.0,
         trusted_base: str | None = None, max_bytes: int = 64 * 1024) -> Fetched:
    """POST `body` to `url` under the same rules as `fetch` (https, public addresses, one pinned
    address, a time cap; `trusted_base` the one exception), following no redirect: a webhook
    subscriber answers where it was configured. The answer's first `max_bytes` come back with its
    status; FetchRefused / FetchError as for `fetch` (a 3xx is a non-retryable failure)."""
    deadline = time.monotonic() + timeout
    target = _check(url, trusted_base, deadline)
    kind = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    connection = kind(target, timeout=_remaining(deadline, target.host))
    watchdog = threading.Timer(_remaining(deadline, target.host), _abort, (connection,))
    watchdog.daemon = True
    watchdog.start()
    try:
        try:
            connection.request("POST", target.path, body=body, headers={"User-Agent": "helpdesk", **(headers or {})})
            response = connection.getresponse()
        except (OSError, http.client.HTTPException) as exc:
            raise _network_error(target.host, exc, deadline) from None
        content = _read(response, connection, max_bytes, deadline, truncate=True)
        if not 200 <= response.status < 300:
            raise FetchError(f"{target.host} answered HTTP {response.status}", status=response.status, body=content,
                             retryable=response.status >= 500 or response.status in (408, 429))
        return Fetched(content, response.headers.get_content_type(), url, response.status)
    finally:
        watchdog.cancel()
        connection.close()


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    address: str
    path: str


def _origin(url: str) -> tuple:
    parts = urlsplit(url)
    try:
        return parts.scheme, parts.hostname, parts.port
    except ValueError:
        return parts.scheme, parts.hostname, None


def _check(url: str, trusted_base: str | None, deadline: float) -> _Target:
    """The checked target of `url`: allowed scheme, a host, and the one address to connect to."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchRefused("the URL is malformed") from None
    trusted = under_base(url, trusted_base)
    if parts.scheme != "https" and not (trusted and parts.scheme == "http"):
        raise FetchRefused(f"the scheme {parts.scheme or '(none)'!r} is not allowed (https only)")
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise FetchRefused("the URL has no host, or carries credentials")
    host, port = parts.hostname, port or (443 if parts.scheme == "https" else 80)
    if not trusted and (host.rstrip(".") == "localhost" or host.rstrip(".").endswith(".localhost")):
        raise FetchRefused(f"{host} is this machine, which is not allowed")  # RFC 6761, whatever the resolver says
    addresses = _resolve_within(host, port, deadline)
    if not addresses:
        raise FetchError(f"{host} does not resolve", retryable=True)
    if not trusted:
        refused = [a for a in addresses if not is_public(a)]
        if refused:
            raise FetchRefused(f"{host} resolves to {refused[0]}, an address that is not allowed")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return _Target(parts.scheme, host, port, addresses[0], path)


def _resolve_within(host: str, port: int, deadline: float) -> list[str]:
    future = _resolver.submit(resolve, host, port)
    try:
        return future.result(timeout=max(0.01, deadline - time.monotonic()))
    except FutureTimeout:
        raise FetchError(f"resolving {host} took too long", retryable=True) from None
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"{host} does not resolve ({exc.__class__.__name__})", retryable=True) from None


class _PinnedHTTP(http.client.HTTPConnection):
    """Speaks to `host` (Host header) over a connection to the checked `address`."""

    def __init__(self, target: _Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.address = target.address

    def connect(self) -> None:
        self.sock = connect(self.address, self.port, float(self.timeout or DEFAULT_TIMEOUT))


class _PinnedHTTPS(_PinnedHTTP):
    """As _PinnedHTTP, over TLS whose SNI and certificate check name the host, not the address."""

    default_port = 443

    def connect(self) -> None:
        super().connect()
        self.sock = tls_context().wrap_socket(self.sock, server_hostname=self.host)


def _get(connection: _PinnedHTTP, target: _Target, headers: dict[str, str], deadline: float):
    try:
        connection.request("GET", target.path, headers=headers)
        return connection.getresponse()
    except (OSError, http.client.HTTPException) as exc:
        raise _network_error(target.host, exc, deadline) from None


def _read(response, connection: _PinnedHTTP, max_bytes: int, deadline: float, *, truncate: bool = False) -> bytes:
    declared = response.getheader("Content-Length")
    if not truncate and declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"the file is larger than {max_bytes} bytes", retryable=False)
    content = bytearray()
    try:
        while chunk := response.read1(_CHUNK):
            content += chunk
            if len(content) > max_bytes:
                if truncate:
                    return bytes(content[:max_bytes])
                raise FetchError(f"the file is larger than {max_bytes} bytes", retryable=False)
    except (OSError, http.client.HTTPException) as exc:
        raise _network_error(connection.host, exc, deadline) from None
    if time.monotonic() >= deadline:  # a body without a length ends when the watchdog shuts the socket
        raise FetchError(f"{connection.host} took too long", retryable=True)
    return bytes(content)


def _abort(connection: _PinnedHTTP) -> None:
    try:
        if connection.sock is not None:
            connection.sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _network_error(host: str, exc: Exception, deadline: float) -> FetchError:
    if isinstance(exc, TimeoutError) or time.monotonic() >= deadline:
        return FetchError(f"{host} took too long", retryable=True)
    return FetchError(f"{host} unreachable ({exc.__class__.__name__})", retryable=True)


def _remaining(deadline: float, host: str) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError(f"{host} took too long", retryable=True)
    return left
