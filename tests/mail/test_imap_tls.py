"""IMAP over TLS (imaps) and STARTTLS against Dovecot, with certificate verification on."""

from __future__ import annotations

import pytest

from channels.email.imap import ImapError, ImapMailbox, ImapSettings
from tests.mail_server import PASSWORD


@pytest.fixture
def trust_test_ca(dovecot, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot.ca_file))


@pytest.mark.parametrize("security, port_name", [("ssl", "tls_port"), ("starttls", "port")])
def test_tls_modes_verify_the_server_and_sign_in(dovecot, trust_test_ca, security, port_name):
    settings = ImapSettings(host="127.0.0.1", port=getattr(dovecot, port_name), user="tls@helpdesk.example",
                            password=PASSWORD, security=security, timeout=10)
    with ImapMailbox(settings) as imap:
        assert imap.select().uidvalidity > 0


def test_an_untrusted_certificate_is_refused(dovecot):
    settings = ImapSettings(host="127.0.0.1", port=dovecot.tls_port, user="tls@helpdesk.example", password=PASSWORD,
                            security="ssl", timeout=10)
    with pytest.raises(ImapError) as error:
        ImapMailbox(settings).connect()
    assert "unreachable" in error.value.reason and "SSL" in error.value.reason
