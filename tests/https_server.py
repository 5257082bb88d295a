"""A local HTTPS server posing as a public host for channels.safe_fetch: a throw-away CA and a
certificate for `PUBLIC_NAME`, and `pose_as_public` to make that name resolve to a public
address whose connections reach this server. It records the TLS SNI, Host header and
Authorization of each request, and answers by path: /file/<name> (bytes), /redirect?to=<url>
(302), /slow (a body dribbled out), /endless (a chunked body without end)."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support import free_port, serving_thread

PUBLIC_NAME = "files.example.net"
PUBLIC_ADDRESS = "93.184.216.34"  # a public address: nothing connects to it, `pose_as_public` reroutes it


@dataclass
class Seen:
    sni: str | None
    host: str | None
    path: str
    authorization: str | None


def _certificate(folder: Path, names: list[str]) -> tuple[Path, Path]:
    """A CA (its PEM path) and a leaf certificate + key for `names` signed by it (one PEM path)."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "helpdesk test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    ca_path, leaf_path = folder / "ca.pem", folder / "leaf.pem"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    leaf_path.write_bytes(leaf.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return ca_path, leaf_path


class HttpsServer:
    """Serves HTTPS on 127.0.0.1 with a certificate for `names`; `seen` lists what it was asked."""

    def __init__(self, names: tuple[str, ...] = (PUBLIC_NAME,)) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="helpdesk-tls-"))
        self.ca_path, leaf = _certificate(self.folder, list(names))
        self.files: dict[str, bytes] = {}
        self.seen: list[Seen] = []
        self._sni = threading.local()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(leaf)
        context.sni_callback = lambda sock, name, ctx: setattr(sock, "sni_name", name)
        self._server = ThreadingHTTPServer(("127.0.0.1", free_port()), self._handler())
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)

    @property
    def port(self) -> int:
        return self._server.server_port

    def start(self) -> HttpsServer:
        serving_thread(self._server).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def url(self, path: str, name: str = PUBLIC_NAME) -> str:
        return f"https://{name}:{self.port}{path}"

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                server.seen.append(Seen(getattr(self.connection, "sni_name", None), self.headers.get("Host"),
                                        self.path, self.headers.get("Authorization")))
                parts = urlsplit(self.path)
                if parts.path == "/redirect":
                    self._answer(302, b"", location=parse_qs(parts.query)["to"][0])
                elif parts.path == "/slow":
                    self.send_response(200)
                    self.send_header("Content-Length", "100")
                    self.end_headers()
                    for _ in range(100):
                        self.wfile.write(b"x")
                        self.wfile.flush()
                        time.sleep(0.1)
                elif parts.path == "/endless":
                    self.send_response(200)
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    try:
                        for _ in range(10_000):
                            self.wfile.write(b"4000\r\n" + b"y" * 0x4000 + b"\r\n")
                    except OSError:
                        pass  # the client hung up: what a size cap does
                elif parts.path.startswith("/file/") and parts.path[6:] in server.files:
                    self._answer(200, server.files[parts.path[6:]])
                else:
                    self._answer(404, b"not here")

            def _answer(self, status: int, body: bytes, location: str | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                if location:
                    self.send_header("Location", location)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        return Handler


def pose_as_public(monkeypatch, server: HttpsServer, names: dict[str, str] | None = None) -> list[tuple[str, int]]:
    """Make PUBLIC_NAME (and `names`: name -> address) resolve as given, connections to
    PUBLIC_ADDRESS reach `server`, and TLS trust its CA. Returns the (address, port) pairs
    connected to, so a test can see which address a fetch was pinned to."""
    from channels import safe_fetch

    table = {PUBLIC_NAME: PUBLIC_ADDRESS, **(names or {})}
    connected: list[tuple[str, int]] = []
    real_resolve, real_connect = safe_fetch.resolve, safe_fetch.connect

    def resolve(host: str, port: int) -> list[str]:
        return [table[host]] if host in table else real_resolve(host, port)

    def connect(address: str, port: int, timeout: float) -> socket.socket:
        connected.append((address, port))
        if ipaddress.ip_address(address) == ipaddress.ip_address(PUBLIC_ADDRESS):
            return real_connect("127.0.0.1", server.port, timeout)
        return real_connect(address, port, timeout)

    monkeypatch.setattr(safe_fetch, "resolve", resolve)
    monkeypatch.setattr(safe_fetch, "connect", connect)
    monkeypatch.setattr(safe_fetch, "tls_context", lambda: ssl.create_default_context(cafile=str(server.ca_path)))
    return connected
