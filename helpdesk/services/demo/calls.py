"""The demo's phone line: a demo CTI account (the office PBX) and two weeks of calls through the
real intake under a back-dated clock: most answered by the Support agents (some logged on
tickets), some missed or abandoned (tickets of the phone group), a few voicemails with a short
recording attached, so the call log, the customer pages and the Calls report have data."""

from __future__ import annotations

import random
import struct
from datetime import timedelta

from channels.base import Attachment
from channels.cti.events import CallEvent
from helpdesk.extensions import db
from helpdesk.models import Call, ChannelAccount, User
from helpdesk.models.base import clock_at, utcnow
from helpdesk.services import staff
from helpdesk.services.calls import intake
from helpdesk.services.calls import tickets as call_tickets

CALLERS = [f"+3461{n:07d}" for n in (2345678, 4455667, 1029384, 5566778, 9080706, 3141592, 2718281, 6655443)]
EXTENSIONS = {"201": "ana@example.com", "202": "chen@example.com"}
SUBJECTS = ("Router keeps rebooting", "Change of billing address", "Delivery did not arrive", "How do I reset my PIN?")


def _recording(seconds: float = 1.0) -> bytes:
    """A short silent 8 kHz WAV: what a voicemail box hands over."""
    data = b"\x00\x00" * int(8000 * seconds)
    return (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16)
            + b"data" + struct.pack("<I", len(data)) + data)


def create_account() -> ChannelAccount:
    """The demo PBX: phone group Support, extensions 201 (Ana) and 202 (Chen), Spanish numbers."""
    support = staff.get_or_create_group("Support")
    account = ChannelAccount(kind="cti", name="office-pbx", group_id=support.id,
                             settings={"demo": True, "region": "ES", "queues": {"support": "Support"},
                                       "extensions": EXTENSIONS})
    db.session.add(account)
    db.session.commit()
    return account


def _events(rng: random.Random, call_id: str, caller: str, outcome: str, extension: str) -> list[tuple[int, CallEvent]]:
    """(seconds after the call started, event) for one call with `outcome`."""
    steps = [(0, CallEvent("ringing", call_id, from_number=caller, to_number="+34910000111", queue="support"))]
    wait = rng.randrange(4, 70)
    if outcome == "answered":
        talk = rng.randrange(45, 720)
        steps += [(wait, CallEvent("answered", call_id, agent=extension)),
                  (wait + talk, CallEvent("ended", call_id, duration=talk, cause="normal"))]
    elif outcome == "voicemail":
        steps += [(wait, CallEvent("ended", call_id, duration=0, cause="voicemail")),
                  (wait + 40, CallEvent("voicemail", call_id, recording=Attachment(
                      "voicemail.wav", _recording(), "audio/wav")))]
    else:
        steps += [(wait, CallEvent("ended", call_id, duration=0, cause=outcome))]
    return steps


def create(days: int, calls: int = 40, seed: int = 21) -> int:
    """`calls` calls over the last `days` days (at most 14), in office hours; returns how many."""
    rng = random.Random(seed)
    account = create_account()
    agents = {ext: db.session.scalar(db.select(User).where(User.email == email)) for ext, email in EXTENSIONS.items()}
    now = utcnow().replace(microsecond=0)
    span = min(days, 14)
    starts = sorted(now - timedelta(days=rng.randrange(0, span), hours=rng.randrange(0, 9), minutes=rng.randrange(60))
                    for _ in range(calls))
    for n, start in enumerate(starts):
        start = start.replace(hour=8 + (start.hour % 9))  # 08:00-16:59 UTC: the Madrid office's day
        if start > now - timedelta(hours=1):
            start -= timedelta(days=1)
        outcome = rng.choices(("answered", "no_answer", "abandoned", "voicemail"), (70, 12, 12, 6))[0]
        extension = rng.choice(list(EXTENSIONS))
        call_id = f"demo-{n}"
        for after, event in _events(rng, call_id, rng.choice(CALLERS), outcome, extension):
            with clock_at(start + timedelta(seconds=after)):
                intake.receive(account, event)
        if outcome == "answered" and rng.random() < 0.4:
            call = db.session.scalar(db.select(Call).where(Call.account_id == account.id, Call.external_id == call_id))
            with clock_at(call.ended_at + timedelta(minutes=2)):
                call_tickets.log_as_ticket(call, agents[extension], subject=rng.choice(SUBJECTS),
                                           note="Logged from the call log.")
    return calls
