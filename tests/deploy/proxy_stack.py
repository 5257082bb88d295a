"""deploy/nginx.conf run by Debian's nginx on this machine, in front of `helpdesk web` processes: the
test's copy differs from the file only in the substitutions below (ports, certificate, scratch paths)."""

from __future__ import annotations

import datetime
import ipaddress
import shutil
import subprocess
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """(certificate, key) for 127.0.0.1, written as PEM into `folder`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                  critical=False)
                   .sign(key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "fullchain.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "privkey.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                           serialization.NoEncryption()))
    return folder / "fullchain.pem", folder / "privkey.pem"


def _replace(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"deploy/nginx.conf no longer has exactly one {old!r}: update tests/deploy"
    return text.replace(old, new)


def proxy_config(folder: Path, web_ports: tuple[int, int], http_port: int, https_port: int) -> Path:
    """The test's copy of deploy/nginx.conf in `folder`: the upstreams on 127.0.0.1, the listeners on
    the given ports, a self-signed certificate, the access log and nginx's scratch files in `folder`
    (Debian's defaults under /var/lib/nginx need root)."""
    self_signed_certificate(folder / "tls")
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    text = _replace(text, "worker_processes auto;", "worker_processes 1;")
    for number, port in enumerate(web_ports, start=1):
        text = _replace(text, f"server web-{number}:8000 ", f"server 127.0.0.1:{port} ")
    text = _replace(text, "access_log /dev/stdout;", f"access_log {folder}/access.log;")
    text = _replace(text, "listen 80;", f"listen 127.0.0.1:{http_port};")
    text = _replace(text, "listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
    text = text.replace("/etc/nginx/tls/", f"{folder}/tls/")
    scratch = "".join(f"    {kind}_temp_path {folder}/{kind};\n"
                      for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    text = _replace(text, "http {\n", "http {\n" + scratch)
    path = folder / "nginx.conf"
    path.write_text(text)
    return path


def start_nginx(config: Path, https_url: str, timeout: float = 15) -> subprocess.Popen:
    """nginx in the foreground on `config`, once it answers /healthz at `https_url`."""
    folder = config.parent
    checked = subprocess.run([NGINX, "-t", "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(config),
                              "-g", f"pid {folder}/nginx.pid;"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    proc = subprocess.Popen([NGINX, "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(config),
                             "-g", f"daemon off; pid {folder}/nginx.pid;"],
                            stdout=subprocess.DEVNULL, stderr=open(folder / "stderr.log", "wb"))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError((folder / "stderr.log").read_text()[-3000:])
        try:
            requests.get(f"{https_url}/healthz", timeout=2, verify=str(folder / "tls" / "fullchain.pem"))
            return proc
        except requests.ConnectionError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError(f"nginx did not answer within {timeout} s")
