"""channels.safe_fetch: which addresses and URLs it refuses, that it connects to the address it
checked (with the host's name in SNI and Host), re-checks redirects, keeps tokens on their origin,
and holds its size and time caps, against a real local HTTPS server posing as a public host."""

from __future__ import annotations

import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from channels import safe_fetch
from channels.safe_fetch import FetchError, FetchRefused, fetch, is_public, under_base
from tests.https_server import PUBLIC_ADDRESS, PUBLIC_NAME, HttpsServer, pose_as_public
from tests.support import free_port, serving_thread


@pytest.fixture
def public(monkeypatch):
    server = HttpsServer().start()
    server.connected = pose_as_public(monkeypatch, server, {"inside.example.net": "10.0.0.7",
                                                            "mixed.example.net": PUBLIC_ADDRESS})
    yield server
    server.stop()


@pytest.fixture
def plain():
    """A plain-http server on 127.0.0.1 (what a provider base URL in tests looks like)."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            hits.append(self.path)
            status, location = (302, self.path.partition("?to=")[2]) if "?to=" in self.path else (200, None)
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    serving_thread(server).start()
    server.hits = hits
    server.base = f"http://127.0.0.1:{server.server_port}/api"
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.255.255.254", "0.0.0.0", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254",
    "100.64.0.1", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255", "192.0.2.1", "198.18.0.1",
    "::1", "::", "fe80::1", "fe80::1%eth0", "fc00::1", "fd12:3456::1", "ff02::1", "fec0::1", "2001:db8::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1", "64:ff9b::a00:1",
    "64:ff9b:1::a00:1", "2002:7f00:1::", "2002:a00:1::1", "2001:0:4136:e378:8000:63bf:80ff:fffe", "not an address",
])
def test_inside_and_special_addresses_are_not_public(address):
    assert not is_public(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8",
                                     "64:ff9b::808:808"])
def test_public_unicast_addresses_are_public(address):
    assert is_public(address)


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "ftp://files.example.net/a", "gopher://files.example.net/", "data:text/plain,hi",
    "http://files.example.net/a", "//files.example.net/a", "https:///a", "https://user:pw@files.example.net/a",
    "https://files.example.net:99999/a",
])
def test_other_schemes_plain_http_credentials_and_malformed_urls_are_refused(url, public):
    with pytest.raises(FetchRefused):
        fetch(url, max_bytes=100)
    assert public.connected == []


@pytest.mark.parametrize("host", ["127.0.0.1", "[::1]", "2130706433", "0x7f000001", "0177.0.0.1", "017700000001",
                                  "127.1", "localhost", "LOCALHOST.", "[::ffff:7f00:1]", "0.0.0.0", "0"])
def test_every_spelling_of_this_machine_is_resolved_and_refused(host, plain):
    with pytest.raises(FetchRefused) as caught:
        fetch(f"https://{host}:{plain.server_port}/x", max_bytes=100)
    assert "not allowed" in caught.value.reason
    assert plain.hits == []


def test_a_name_resolving_to_a_private_address_is_refused_before_connecting(public):
    with pytest.raises(FetchRefused) as caught:
        fetch("https://inside.example.net/file/a", max_bytes=100)
    assert "10.0.0.7" in caught.value.reason and public.connected == []


def test_a_name_with_one_private_address_among_public_ones_is_refused(public, monkeypatch):
    monkeypatch.setattr(safe_fetch, "resolve", lambda host, port: [PUBLIC_ADDRESS, "127.0.0.1"])
    with pytest.raises(FetchRefused):
        fetch(f"https://{PUBLIC_NAME}/file/a", max_bytes=100)


def test_the_connection_is_pinned_to_the_checked_address_with_the_name_in_sni_and_host(public):
    public.files["a.png"] = b"\x89PNG-bytes"
    fetched = fetch(public.url("/file/a.png"), max_bytes=100, headers={"Authorization": "Bearer t"})
    assert (fetched.content, fetched.content_type) == (b"\x89PNG-bytes", "application/octet-stream")
    assert public.connected == [(PUBLIC_ADDRESS, public.port)]
    (seen,) = public.seen
    assert (seen.sni, seen.host, seen.authorization) == (PUBLIC_NAME, f"{PUBLIC_NAME}:{public.port}", "Bearer t")


def test_a_certificate_for_another_name_fails(public):
    with pytest.raises(FetchError) as caught:
        fetch(public.url("/file/a.png", name="mixed.example.net"), max_bytes=100)
    assert caught.value.retryable and "SSLCertVerificationError" in caught.value.reason


def test_each_redirect_is_checked_again(public, plain):
    for target in (f"http://127.0.0.1:{plain.server_port}/x", "https://inside.example.net/file/a",
                   "file:///etc/passwd", f"{plain.base}/x"):
        with pytest.raises(FetchRefused):
            fetch(public.url(f"/redirect?to={target}"), max_bytes=100, trusted_base=None)
    assert plain.hits == []


def test_a_redirect_from_the_trusted_base_leaves_its_exemption_behind(public, plain):
    with pytest.raises(FetchRefused):
        fetch(f"{plain.base}/f?to=http://127.0.0.1:{plain.server_port}/elsewhere", max_bytes=100, trusted_base=plain.base)
    assert plain.hits == [f"/api/f?to=http://127.0.0.1:{plain.server_port}/elsewhere"]
    public.files["a"] = b"A"
    assert fetch(f"{plain.base}/f?to={public.url('/file/a')}", max_bytes=100, trusted_base=plain.base).content == b"A"


def test_the_token_follows_redirects_on_its_origin(public):
    public.files["a"] = b"A"
    fetch(public.url("/redirect?to=" + public.url("/file/a")), max_bytes=10, headers={"Authorization": "Bearer t"})
    assert [s.authorization for s in public.seen] == ["Bearer t", "Bearer t"]


def test_the_token_is_dropped_on_a_redirect_to_another_origin(monkeypatch):
    server = HttpsServer(names=(PUBLIC_NAME, "cdn.example.org")).start()
    try:
        pose_as_public(monkeypatch, server, {"cdn.example.org": PUBLIC_ADDRESS})
        server.files["a"] = b"A"
        url = server.url("/redirect?to=" + server.url("/file/a", name="cdn.example.org"))
        assert fetch(url, max_bytes=10, headers={"Authorization": "Bearer t"}).content == b"A"
        assert [(s.sni, s.authorization) for s in server.seen] == [(PUBLIC_NAME, "Bearer t"), ("cdn.example.org", None)]
    finally:
        server.stop()


def test_more_than_five_redirects_are_refused(public):
    url = public.url("/file/a")
    for _ in range(6):
        url = public.url("/redirect?to=" + url.replace("?", "%3F").replace("&", "%26"))
    with pytest.raises(FetchRefused) as caught:
        fetch(url, max_bytes=10)
    assert "redirects" in caught.value.reason and len(public.seen) == 6


def test_a_body_over_the_cap_is_refused_by_its_length_or_while_streaming(public):
    public.files["big"] = b"z" * 1001
    with pytest.raises(FetchError) as caught:
        fetch(public.url("/file/big"), max_bytes=1000)
    assert not caught.value.retryable and "larger than 1000 bytes" in caught.value.reason
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch(public.url("/endless"), max_bytes=100_000)
    assert "larger than 100000 bytes" in caught.value.reason and time.monotonic() - started < 5


def test_a_slow_body_is_cut_off_at_the_total_time_cap(public):
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch(public.url("/slow"), max_bytes=1000, timeout=1.0)
    assert caught.value.retryable and "took too long" in caught.value.reason
    assert time.monotonic() - started < 2.0


def test_a_non_2xx_answer_carries_its_status_and_body(public):
    with pytest.raises(FetchError) as caught:
        fetch(public.url("/file/missing"), max_bytes=10)
    assert (caught.value.status, caught.value.body, caught.value.retryable) == (404, b"not here", False)


def test_only_urls_under_the_trusted_base_are_exempt(plain):
    base = plain.base
    assert fetch(f"{base}/v21.0/media", max_bytes=10, trusted_base=base).content == b"ok"
    assert under_base(f"{base}", base) and under_base(f"{base}/x?y=1", base)
    for url in (f"http://127.0.0.1:{plain.server_port}/other", f"http://127.0.0.1:{plain.server_port}/apix",
                f"{base}/../admin", f"{base}/%2e%2e/admin", f"http://127.0.0.1:{free_port()}/api/x",
                f"https://127.0.0.1:{plain.server_port}/api/x", f"http://u@127.0.0.1:{plain.server_port}/api/x"):
        assert not under_base(url, base), url
        with pytest.raises(FetchError):
            fetch(url, max_bytes=10, trusted_base=base)
    assert plain.hits == ["/api/v21.0/media"]
