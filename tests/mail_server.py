"""A private Dovecot IMAP server for tests: its own config, users, port and maildirs in a scratch folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from imapclient import IMAPClient

from tests.support import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
PASSWORD = "imap-secret"
CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = yes
ssl_cert = <{root}/server.pem
ssl_key = <{root}/server.key
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
# IDLE hears of new mail through inotify; on a machine out of inotify instances (browsers, many
# test servers) Dovecot falls back to looking every mailbox_idle_check_interval, 30 s by default.
mailbox_idle_check_interval = 1 secs
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = {tls_port}
  }}
}}
service anvil {{
  chroot =
}}
"""


class Dovecot:
    """Start with `Dovecot().start()`; `deliver` mail, `stop`. Every user name exists (mail is created
    on first use) and signs in with PASSWORD: tests get a fresh mailbox by picking a fresh name."""

    def __init__(self, root: Path | None = None) -> None:
        # Dovecot's mail processes run as "nobody", who must be able to walk into the folder.
        self.root = root or Path(tempfile.mkdtemp(prefix="helpdesk-dovecot-"))
        os.chmod(self.root, 0o755)
        self.port = free_port()
        self.tls_port = free_port()
        self.ca_file = self.root / "ca.pem"
        self.config = self.root / "dovecot.conf"

    def start(self) -> Dovecot:
        for name in ("run", "state", "home"):
            (self.root / name).mkdir(parents=True, exist_ok=True)
        # Mail is owned by "nobody": Dovecot refuses to access mail as root.
        shutil.chown(self.root / "home", 65534, 65534)
        self._make_certificates()
        self.config.write_text(CONFIG.format(root=self.root, port=self.port, tls_port=self.tls_port, uid=65534,
                                             gid=65534, password=PASSWORD))
        # Dovecot daemonises: its output must not be a pipe we would wait on for ever.
        subprocess.run([DOVECOT, "-c", str(self.config)], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=30)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=2).logout()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("dovecot did not start: " + (self.root / "dovecot.log").read_text()[-2000:])

    def _make_certificates(self) -> None:
        """A private CA (`ca_file`, for clients to trust) and a certificate for 127.0.0.1 signed by it."""
        import datetime
        import ipaddress

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        now = datetime.datetime.now(datetime.UTC)

        def certificate(subject: str, key, issuer_name, issuer_key, *, ca: bool):
            builder = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
                       .issuer_name(issuer_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
                       .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=2))
                       .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
            if not ca:
                builder = builder.add_extension(x509.SubjectAlternativeName(
                    [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]), critical=False)
            return builder.sign(issuer_key, hashes.SHA256())

        ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "helpdesk test CA")])
        ca_cert = certificate("helpdesk test CA", ca_key, ca_name, ca_key, ca=True)
        server_cert = certificate("127.0.0.1", server_key, ca_name, ca_key, ca=False)
        self.ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
        (self.root / "server.pem").write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
        (self.root / "server.key").write_bytes(server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))

    def client(self, user: str) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        client.login(user, PASSWORD)
        return client

    def deliver(self, user: str, raw: bytes, folder: str = "INBOX", flags: tuple[bytes, ...] = ()) -> None:
        """Put a message in the user's folder, as the MTA would."""
        client = self.client(user)
        try:
            client.append(folder, raw, flags=flags)
        finally:
            client.logout()

    def flags(self, user: str, folder: str = "INBOX") -> dict[int, set[bytes]]:
        """Every message's flags by UID."""
        client = self.client(user)
        try:
            client.select_folder(folder, readonly=True)
            return {uid: set(data[b"FLAGS"]) for uid, data in client.fetch(client.search("ALL"), ["FLAGS"]).items()}
        finally:
            client.logout()

    def stop(self) -> None:
        subprocess.run(["doveadm", "-c", str(self.config), "stop"], capture_output=True, timeout=30)
        shutil.rmtree(self.root, ignore_errors=True)
