"""The call events a PBX posts to /webhooks/cti/<account id>, validated into `CallEvent`.

The JSON body (or the form fields of a multipart body that carries the recording as a file):

    {"event": "ringing",   "call_id": "...", "from": "+34...", "to": "+34...", "queue": "support"}
    {"event": "answered",  "call_id": "...", "agent": "ana@example.com" | "201"}
    {"event": "ended",     "call_id": "...", "duration": 95, "cause": "normal"}
    {"event": "voicemail", "call_id": "...", "recording_url": "https://...", "from": optional}  (or a file "recording")

Every event may carry "at" (ISO 8601, when it happened at the PBX). Each field is checked here;
`EventError` names the first bad one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from channels.base import Attachment
from channels.cti import numbers

EVENTS = ("ringing", "answered", "ended", "voicemail")
# normal: talked and hung up; abandoned: the caller hung up while waiting; no_answer, busy,
# failed: nobody took it; voicemail: it went to the voicemail box.
CAUSES = ("normal", "abandoned", "no_answer", "busy", "failed", "voicemail")
MAX_DURATION = 86_400
RECORDING_MAX_BYTES = 20 * 1024 * 1024
_CALL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,127}$")
_EXTENSION = re.compile(r"^[A-Za-z0-9*#_.-]{1,32}$")
_EMAIL = re.compile(r"^[^@\s<>\"]{1,64}@[^@\s<>\"]+\.[^@\s<>\"]+$")
_QUEUE = re.compile(r"^[^\x00-\x1f\x7f]{1,100}$")
AUDIO_TYPES = ("audio/", "application/octet-stream")


class EventError(ValueError):
    """A call event that cannot be taken in: `field` names the input, `message` says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class CallEvent:
    """One validated event of one call; numbers are E.164 (None: withheld or not given)."""

    kind: str
    call_id: str
    at: datetime | None = None  # naive UTC
    from_number: str | None = None
    to_number: str | None = None
    queue: str | None = None
    agent: str | None = None  # an e-mail (lower case) or an extension
    duration: int | None = None
    cause: str | None = None
    recording_url: str | None = None
    recording: Attachment | None = None

    def data(self) -> dict:
        """The event as stored beside the call (JSON; the recording's name and size, not its bytes)."""
        values: dict[str, object] = {k: v for k, v in {
            "from": self.from_number, "to": self.to_number, "queue": self.queue, "agent": self.agent,
            "duration": self.duration, "cause": self.cause, "recording_url": self.recording_url,
            "at": self.at.isoformat() if self.at else None}.items() if v is not None}
        if self.recording is not None:
            values["recording"] = {"filename": self.recording.filename, "size": len(self.recording.content)}
        return values


def _text(payload: dict, name: str, *, required: bool = False) -> str | None:
    value = payload.get(name)
    if value is None or value == "":
        if required:
            raise EventError(name, "is required")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise EventError(name, "must be a string")
    return str(value).strip()


def _required(payload: dict, name: str) -> str:
    value = _text(payload, name, required=True)
    if value is None:  # _text raised already; this tells the type checker
        raise EventError(name, "is required")
    return value


def _number(payload: dict, name: str, region: str | None, *, required: bool) -> str | None:
    raw = _text(payload, name)
    if raw is None or numbers.is_withheld(raw):
        if required and raw is None:
            raise EventError(name, "is required (\"anonymous\" when the caller hid it)")
        return None
    try:
        return numbers.e164(raw, region)
    except numbers.NumberError as exc:
        raise EventError(name, str(exc)) from None


def _at(payload: dict) -> datetime | None:
    raw = _text(payload, "at")
    if raw is None:
        return None
    try:
        when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise EventError("at", "must be an ISO 8601 time such as 2026-12-07T10:15:00Z") from None
    if when.tzinfo is None:
        raise EventError("at", "must say its time zone (Z or +01:00)")
    return when.astimezone(UTC).replace(tzinfo=None)


def _agent(payload: dict) -> str:
    agent = _required(payload, "agent")
    if _EMAIL.match(agent) and len(agent) <= 320:
        return agent.lower()
    if _EXTENSION.match(agent):
        return agent
    raise EventError("agent", "must be the agent's e-mail address or extension")


def _duration(payload: dict) -> int:
    value = payload.get("duration")
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if value is None or value == "":
        raise EventError("duration", "is required (seconds)")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DURATION:
        raise EventError("duration", f"must be whole seconds from 0 to {MAX_DURATION}")
    return value


def _recording_url(payload: dict) -> str | None:
    url = _text(payload, "recording_url")
    if url is None:
        return None
    parts = urlsplit(url)
    if len(url) > 2000 or parts.scheme not in ("http", "https") or not parts.hostname:
        raise EventError("recording_url", "must be an http(s) URL of at most 2,000 characters")
    return url


def parse(payload: object, *, region: str | None = None, recording: Attachment | None = None) -> CallEvent:
    """`payload` (the decoded JSON object or form fields) as a CallEvent; `recording` is a file
    uploaded with a voicemail event. `region` reads national numbers. EventError on a bad field."""
    if not isinstance(payload, dict):
        raise EventError("body", "must be a JSON object")
    kind = _required(payload, "event")
    if kind not in EVENTS:
        raise EventError("event", f"must be one of {', '.join(EVENTS)}")
    call_id = _required(payload, "call_id")
    if not _CALL_ID.match(call_id):
        raise EventError("call_id", "must be 1 to 128 letters, digits or ._:@/+-")
    event: dict[str, Any] = {"kind": kind, "call_id": call_id, "at": _at(payload)}
    if kind == "ringing":
        queue = _text(payload, "queue")
        if queue is not None and not _QUEUE.match(queue):
            raise EventError("queue", "must be 1 to 100 printable characters")
        event |= {"from_number": _number(payload, "from", region, required=True),
                  "to_number": _number(payload, "to", region, required=False), "queue": queue}
    elif kind == "answered":
        event["agent"] = _agent(payload)
    elif kind == "ended":
        cause = _text(payload, "cause") or "normal"
        if cause not in CAUSES:
            raise EventError("cause", f"must be one of {', '.join(CAUSES)}")
        event |= {"duration": _duration(payload), "cause": cause}
    else:
        url = _recording_url(payload)
        if (url is None) == (recording is None):
            raise EventError("recording_url", "give either a recording_url or an uploaded file named recording")
        if recording is not None:
            if not recording.content or len(recording.content) > RECORDING_MAX_BYTES:
                raise EventError("recording", f"must be 1 byte to {RECORDING_MAX_BYTES // 2**20} MiB")
            if not recording.content_type.startswith(AUDIO_TYPES):
                raise EventError("recording", "must be an audio file")
        # The caller, for a phone system that reports a voicemail without a ringing event first.
        event |= {"recording_url": url, "recording": recording,
                  "from_number": _number(payload, "from", region, required=False)}
    return CallEvent(**event)
