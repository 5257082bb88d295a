"""The inbound half of the e-mail channel: one IMAP mailbox, synchronised by UID.

This adapter only moves bytes: it reports the folder's UIDVALIDITY, fetches messages above a
UID with BODY.PEEK[] (so nothing is marked read by fetching), and flags or moves a message when
the caller says its ticket is committed. Parsing and storage belong to others.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

# Set on a message once its ticket is committed; \Seen alone would also be set by a person
# reading the mailbox in a mail client, which must not make us skip the message.
DONE_FLAG = b"$HelpdeskDone"
SECURITY_MODES = ("ssl", "starttls", "none")


class ImapError(Exception):
    """The server could not be reached or refused us; `retryable` when trying later can help."""

    def __init__(self, reason: str, *, retryable: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


@dataclass(frozen=True)
class ImapSettings:
    """Where a mailbox lives and how to sign in."""

    host: str
    port: int
    user: str
    password: str
    security: str = "ssl"  # ssl | starttls | none
    folder: str = "INBOX"
    move_to: str | None = None  # folder that processed mail is moved to, if any
    timeout: float = 60.0
    verify_tls: bool = True

    def __repr__(self) -> str:  # the password never reaches a log line
        return f"ImapSettings(host={self.host!r}, port={self.port}, user={self.user!r}, folder={self.folder!r})"


@dataclass(frozen=True)
class FetchedMail:
    uid: int
    raw: bytes
    size: int


@dataclass(frozen=True)
class FolderState:
    uidvalidity: int
    uidnext: int | None
    exists: int


def _tls_context(settings: ImapSettings) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if not settings.verify_tls:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _announces_mail(responses) -> bool:
    return any(isinstance(r, tuple) and len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses)


class ImapMailbox:
    """A connection to one folder of one mailbox; use as a context manager."""

    def __init__(self, settings: ImapSettings) -> None:
        if settings.security not in SECURITY_MODES:
            raise ValueError(f"security must be one of {SECURITY_MODES}")
        self.settings = settings
        self.client: IMAPClient | None = None
        self.can_idle = False

    def __enter__(self) -> ImapMailbox:
        self.connect()
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def connect(self) -> FolderState:
        """Sign in and select the folder; ImapError when the server is down or refuses us."""
        s = self.settings
        try:
            self.client = IMAPClient(s.host, port=s.port, ssl=s.security == "ssl", timeout=s.timeout,
                                     ssl_context=_tls_context(s) if s.security == "ssl" else None)
            if s.security == "starttls":
                self.client.starttls(_tls_context(s))
            self.client.login(s.user, s.password)
            self.can_idle = b"IDLE" in self.client.capabilities()
            return self.select()
        except LoginError as exc:  # wrong credentials: trying again won't help
            raise ImapError(f"IMAP login to {s.host} refused: {_reason(exc)}", retryable=False) from None
        except (TimeoutError, OSError, IMAPClientError, ssl.SSLError) as exc:
            raise ImapError(f"IMAP server {s.host}:{s.port} unreachable: {exc.__class__.__name__}") from None

    def select(self) -> FolderState:
        """(Re)select the folder and report UIDVALIDITY, UIDNEXT and the message count."""
        info = self._client().select_folder(self.settings.folder)
        return FolderState(uidvalidity=int(info[b"UIDVALIDITY"]), uidnext=_int(info.get(b"UIDNEXT")),
                           exists=int(info.get(b"EXISTS", 0)))

    def pending_uids(self, after_uid: int) -> list[int]:
        """UIDs above `after_uid` that were not finished before, oldest first."""
        client = self._client()
        uids = client.search(["UID", f"{after_uid + 1}:*", "NOT", "KEYWORD", DONE_FLAG.decode()])
        # "N:*" always matches the highest UID, even when it is below N.
        return sorted(uid for uid in uids if uid > after_uid)

    def fetch_batches(self, uids: list[int], *, max_count: int = 50,
                      max_bytes: int = 32 * 1024 * 1024) -> Iterator[list[FetchedMail]]:
        """The raw bytes of `uids` without setting \\Seen, in batches of at most `max_count` mails
        and about `max_bytes` (sizes are asked first), so memory stays flat whatever the folder holds."""
        client = self._client()
        for batch in _batches(uids, self._sizes(uids), max_count, max_bytes):
            data = client.fetch(batch, [b"BODY.PEEK[]", b"RFC822.SIZE"])
            mails = []
            for uid in batch:
                item = data.pop(uid, None)
                if item is None:  # expunged meanwhile
                    continue
                raw = item.get(b"BODY[]") or b""
                mails.append(FetchedMail(uid=uid, raw=raw, size=int(item.get(b"RFC822.SIZE", len(raw)))))
            yield mails

    def fetch(self, uids: list[int]) -> Iterator[FetchedMail]:
        """The raw bytes of `uids`, one message at a time."""
        for batch in self.fetch_batches(uids):
            yield from batch

    def _sizes(self, uids: list[int]) -> dict[int, int]:
        sizes: dict[int, int] = {}
        for start in range(0, len(uids), 1000):
            chunk = uids[start:start + 1000]
            for uid, item in self._client().fetch(chunk, [b"RFC822.SIZE"]).items():
                sizes[uid] = int(item.get(b"RFC822.SIZE", 0))
        return sizes

    def mark_done(self, uid: int | list[int]) -> None:
        """Flag (and move, when configured) messages whose tickets are committed."""
        uids = uid if isinstance(uid, list) else [uid]
        if not uids:
            return
        client = self._client()
        client.add_flags(uids, [DONE_FLAG, b"\\Seen"], silent=True)
        if self.settings.move_to:
            client.move(uids, self.settings.move_to)

    def wait_for_mail(self, timeout: float) -> bool:
        """Block until the server announces new mail (IDLE) or `timeout` passes; True on news."""
        client = self._client()
        if not self.can_idle:
            return False
        # Mail that arrived since our last command is announced in the answer to the next one; a
        # NOOP first catches it (otherwise the server may report it before IDLE's continuation,
        # where idle_check never sees it, and we would sleep through it until the timeout).
        if _announces_mail(client.noop()[1]):
            return True
        # The server may also say things that are not new mail while we idle (a flag change, a
        # keep-alive): idle_check returns on any of them, so the wait goes on until the deadline.
        deadline = time.monotonic() + timeout
        news = False
        client.idle()
        try:
            while not news and (left := deadline - time.monotonic()) > 0:
                news = _announces_mail(client.idle_check(timeout=left))
        finally:
            client.idle_done()
        return news

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.logout()
            except (OSError, IMAPClientError):
                pass
            self.client = None

    def _client(self) -> IMAPClient:
        if self.client is None:
            raise ImapError("not connected")
        return self.client


def _batches(uids: list[int], sizes: dict[int, int], max_count: int, max_bytes: int) -> Iterator[list[int]]:
    batch: list[int] = []
    total = 0
    for uid in uids:
        size = sizes.get(uid, 0)
        if batch and (len(batch) >= max_count or total + size > max_bytes):
            yield batch
            batch, total = [], 0
        batch.append(uid)
        total += size
    if batch:
        yield batch


def _int(value) -> int | None:
    return int(value) if value is not None else None


def _reason(exc: Exception) -> str:
    text = str(exc)
    return text[:200] if text else exc.__class__.__name__
