"""The Asterisk Manager Interface (AMI) as a client reads it, and what its events say about calls.

The wire format: on connect the server sends one banner line ("Asterisk Call Manager/6.0.0");
then client and server exchange messages, each a block of "Key: Value" lines ended by CRLF and
closed by an empty line. The client's messages are actions ("Action: Login", with an ActionID the
response repeats); the server answers with "Response: Success|Error" and sends "Event: ..."
messages as calls happen (with the `call` event class enabled for the user in manager.conf).

`CallTracker` turns the events of inbound calls into the CTI webhook's payloads (see
channels/cti/events.py): a call is its Linkedid (the Uniqueid of its first channel);
QueueCallerJoin (or the first DialBegin of a call outside a queue) is `ringing`, AgentConnect
(or a second channel entering the caller's bridge) is `answered`, the caller's Hangup is `ended`
(abandoned after QueueCallerAbandon). Stdlib only.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

BANNER = "Asterisk Call Manager/"
BUSY_CAUSES = ("17",)  # Q.850 user busy


class AmiError(Exception):
    """The AMI server refused us or spoke something else than AMI."""


def encode(message: dict[str, str]) -> bytes:
    """One AMI message on the wire: "Key: Value" lines, CRLF, then an empty line."""
    return "".join(f"{key}: {value}\r\n" for key, value in message.items()).encode() + b"\r\n"


class AmiConnection:
    """A TCP connection to an AMI server: `login`, then iterate `messages()`."""

    def __init__(self, host: str, port: int, *, timeout: float = 10.0) -> None:
        self._sock = socket.create_connection((host, port), timeout=timeout)
        self._file = self._sock.makefile("rb")
        banner = self._file.readline().decode("utf-8", "replace").strip()
        if not banner.startswith(BANNER):
            self.close()
            raise AmiError(f"not an AMI server (it said {banner[:60]!r})")
        self.banner = banner
        self._sock.settimeout(None)  # events come when calls happen
        self._action_id = 0

    def send(self, action: str, **fields: str) -> str:
        """Send an action; its ActionID."""
        self._action_id += 1
        action_id = f"helpdesk-{self._action_id}"
        self._sock.sendall(encode({"Action": action, "ActionID": action_id, **fields}))
        return action_id

    def login(self, username: str, secret: str) -> None:
        """Log in with the manager user's secret (AmiError when refused); events follow."""
        action_id = self.send("Login", Username=username, Secret=secret, Events="call,agent")
        for message in self.messages():
            if message.get("ActionID") == action_id and "Response" in message:
                if message["Response"].lower() != "success":
                    raise AmiError(f"login refused: {message.get('Message', 'no reason given')}")
                return
        raise AmiError("the server closed the connection during login")

    def messages(self) -> Iterator[dict[str, str]]:
        """Each message the server sends, as a dict, until it closes the connection."""
        block: dict[str, str] = {}
        for raw in self._file:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if not line:
                if block:
                    yield block
                    block = {}
                continue
            key, sep, value = line.partition(":")
            if sep:
                block[key.strip()] = value.strip()

    def close(self) -> None:
        try:
            self._file.close()
        finally:
            self._sock.close()


def _extension(channel_or_interface: str | None) -> str | None:
    """"PJSIP/201-00000002" or "SIP/201" -> "201"."""
    if not channel_or_interface or "/" not in channel_or_interface:
        return None
    return channel_or_interface.partition("/")[2].partition("-")[0].partition("@")[0] or None


def _internal(number: str | None) -> bool:
    """An extension rather than a phone number (fewer than 6 digits)."""
    return len("".join(ch for ch in number or "" if ch.isdigit())) < 6


@dataclass
class _Call:
    caller: str | None = None
    dialled: str | None = None
    rang: bool = False
    answered_at: float | None = None
    abandoned: bool = False


@dataclass
class CallTracker:
    """Feed it every AMI event (`feed`); it returns the webhook payloads those events make."""

    calls: dict[str, _Call] = field(default_factory=dict)

    @staticmethod
    def _now(event: dict[str, str]) -> float:
        stamp = event.get("Timestamp")  # present when manager.conf has timestampevents=yes
        try:
            return float(stamp) if stamp else time.time()
        except ValueError:
            return time.time()

    @staticmethod
    def _at(moment: float) -> str:
        return datetime.fromtimestamp(moment, UTC).isoformat()

    def feed(self, event: dict[str, str]) -> list[dict]:
        """The payloads (ringing, answered, ended) this event makes, in order; [] for the others."""
        name, linked = event.get("Event"), event.get("Linkedid")
        if not name or not linked:
            return []
        first_channel = event.get("Uniqueid") == linked
        call = self.calls.get(linked)
        if name == "Newchannel" and first_channel:
            self.calls[linked] = _Call(caller=event.get("CallerIDNum"), dialled=event.get("Exten"))
            return []
        if call is None:
            return []
        now = self._now(event)
        if name == "QueueCallerJoin" or (name == "DialBegin" and first_channel):
            if call.rang or (name == "DialBegin" and _internal(call.caller)):
                return []  # an agent calling out or another extension is not a call in
            call.rang = True
            return [{"event": "ringing", "call_id": linked, "from": event.get("CallerIDNum") or call.caller or "anonymous",
                     "to": call.dialled if (call.dialled or "").lstrip("+").isdigit() else None,
                     "queue": event.get("Queue"), "at": self._at(now)}]
        # AgentConnect describes the caller's channel (Channel) and the member's (Dest..., Interface);
        # BridgeEnter is sent for each channel joining: the one that is not the caller's answered.
        agent_joins = name == "AgentConnect" or (name == "BridgeEnter" and not first_channel)
        if agent_joins and call.rang and call.answered_at is None:
            agent = (_extension(event.get("Interface")) or event.get("DestCallerIDNum")) if name == "AgentConnect" \
                else (event.get("CallerIDNum") or _extension(event.get("Channel")))
            if not agent:
                return []
            call.answered_at = now
            return [{"event": "answered", "call_id": linked, "agent": agent, "at": self._at(now)}]
        if name == "QueueCallerAbandon":
            call.abandoned = True
            return []
        if name == "Hangup" and first_channel:
            del self.calls[linked]
            if not call.rang:
                return []
            if call.answered_at is not None:
                duration, cause = int(now - call.answered_at), "normal"
            else:
                duration = 0
                cause = "abandoned" if call.abandoned else "busy" if event.get("Cause") in BUSY_CAUSES else "no_answer"
            return [{"event": "ended", "call_id": linked, "duration": max(duration, 0), "cause": cause,
                     "at": self._at(now)}]
        return []
