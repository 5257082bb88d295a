"""Missed calls and voicemails become tickets of the phone group through ingest, the recording
(fetched under the safe-fetch rules from a local HTTPS server posing as a public host, or
uploaded with the event) attached; an agent logs an answered call on a ticket."""

from __future__ import annotations

import io
import struct

import pytest
from sqlalchemy import func, select

from channels.cti import signature
from helpdesk.extensions import db
from helpdesk.models import Attachment, Call, CallEvent, Message, Ticket
from helpdesk.services.attachments import path_for
from helpdesk.services.calls import tickets as call_tickets
from tests.calls.conftest import SECRET
from tests.https_server import HttpsServer, pose_as_public


def _wav(seconds: float = 0.1) -> bytes:
    frames = int(8000 * seconds)
    data = b"\x00\x00" * frames
    return (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16)
            + b"data" + struct.pack("<I", len(data)) + data)


@pytest.fixture
def recordings(monkeypatch):
    server = HttpsServer().start()
    pose_as_public(monkeypatch, server)
    yield server
    server.stop()


def _ring(post_event, call_id: str = "c-1", caller: str = "+34 612 345 678"):
    return post_event({"event": "ringing", "call_id": call_id, "from": caller, "queue": "billing"})


def test_a_missed_call_becomes_a_ticket_of_the_phone_group(post_event, groups):
    support, _ = groups
    _ring(post_event)
    ended = post_event({"event": "ended", "call_id": "c-1", "duration": 0, "cause": "no_answer"}).get_json()
    ticket = db.session.get(Ticket, ended["ticket_id"])
    assert ticket.channel == "phone" and ticket.group_id == support.id  # the phone group, not the queue's
    assert ticket.subject == "Missed call from +34612345678"
    assert db.session.get(Call, ended["call_id"]).ticket_id == ticket.id
    again = post_event({"event": "ended", "call_id": "c-1", "duration": 0, "cause": "no_answer"}).get_json()
    assert again["duplicate"] and again["ticket_id"] == ticket.id
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 1


def test_an_abandoned_call_says_the_caller_hung_up(post_event):
    _ring(post_event)
    ended = post_event({"event": "ended", "call_id": "c-1", "duration": 0, "cause": "abandoned"}).get_json()
    message = db.session.scalars(select(Message).where(Message.ticket_id == ended["ticket_id"])).one()
    assert "hung up while waiting" in message.body_text and ended["state"] == "abandoned"


def test_a_voicemail_url_is_fetched_safely_and_attached_to_the_missed_call_ticket(post_event, recordings):
    recordings.files["vm-c-1.wav"] = _wav()
    _ring(post_event)
    missed = post_event({"event": "ended", "call_id": "c-1", "duration": 0, "cause": "voicemail"}).get_json()
    voicemail = post_event({"event": "voicemail", "call_id": "c-1",
                            "recording_url": recordings.url("/file/vm-c-1.wav")}).get_json()
    assert voicemail["ticket_id"] == missed["ticket_id"]  # the same call, the same ticket
    attachment = db.session.scalars(select(Attachment)).one()
    assert attachment.filename == "vm-c-1.wav" and attachment.content_type.startswith("audio/")
    assert path_for(attachment.storage_key).read_bytes() == recordings.files["vm-c-1.wav"]
    assert db.session.get(Call, voicemail["call_id"]).voicemail is True
    redelivered = post_event({"event": "voicemail", "call_id": "c-1", "recording_url": recordings.url("/file/vm-c-1.wav")})
    assert redelivered.get_json()["duplicate"] and len(recordings.seen) == 1  # not fetched again


def test_a_recording_on_a_private_address_is_refused(post_event):
    _ring(post_event)
    response = post_event({"event": "voicemail", "call_id": "c-1", "recording_url": "https://127.0.0.1:9/vm.wav"})
    assert response.status_code == 422 and response.get_json()["field"] == "recording_url"
    assert db.session.scalar(select(func.count()).select_from(CallEvent)) == 1  # the ringing only
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_a_recording_the_server_cannot_hand_out_yet_asks_for_a_redelivery(post_event, recordings):
    _ring(post_event)
    response = post_event({"event": "voicemail", "call_id": "c-1", "recording_url": recordings.url("/file/missing.wav")})
    assert response.status_code == 422  # a 404 is for good
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_an_uploaded_recording_is_attached(client, cti_account, post_event):
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import EnvironBuilder

    builder = EnvironBuilder(method="POST", data={
        "event": "voicemail", "call_id": "up-1", "recording": FileStorage(io.BytesIO(_wav()), "message.wav", "audio/wav")})
    environ = builder.get_environ()
    body, content_type = environ["wsgi.input"].read(), environ["CONTENT_TYPE"]
    _ring(post_event, "up-1", "+34600111222")
    response = client.post(f"/webhooks/cti/{cti_account.id}", data=body, headers={
        "Content-Type": content_type, signature.HEADER: signature.sign(body, SECRET)})
    assert response.status_code == 200, response.get_json()
    ticket = db.session.get(Ticket, response.get_json()["ticket_id"])
    assert ticket.subject == "Voicemail from +34600111222"
    assert db.session.scalars(select(Attachment)).one().filename == "message.wav"


def test_a_voicemail_that_names_its_caller_is_a_ticket_without_a_ringing_event(post_event, recordings):
    recordings.files["vm-only.wav"] = _wav()
    answer = post_event({"event": "voicemail", "call_id": "vm-only", "from": "+34 600 333 444",
                         "recording_url": recordings.url("/file/vm-only.wav")}).get_json()
    ticket = db.session.get(Ticket, answer["ticket_id"])
    assert ticket.subject == "Voicemail from +34600333444" and ticket.channel == "phone"
    assert db.session.scalars(select(Attachment)).one().filename == "vm-only.wav"
    unnamed = post_event({"event": "voicemail", "call_id": "vm-anon", "recording_url": recordings.url("/file/vm-only.wav")})
    assert unnamed.status_code == 200 and unnamed.get_json()["ticket_id"] is None  # a withheld number: logged only


def test_an_agent_logs_an_answered_call_as_a_ticket_or_a_note(post_event, app):
    from helpdesk.models import User

    _ring(post_event)
    post_event({"event": "answered", "call_id": "c-1", "agent": "201"})
    done = post_event({"event": "ended", "call_id": "c-1", "duration": 125, "cause": "normal"}).get_json()
    call = db.session.get(Call, done["call_id"])
    ana = db.session.scalars(select(User).where(User.email == "ana@staff.example")).one()
    ticket = call_tickets.log_as_ticket(call, ana, subject="Invoice question", note="Wants a copy of March's invoice")
    note = db.session.scalars(select(Message).where(Message.ticket_id == ticket.id, Message.kind == "note")).one()
    assert "duration 2 min 05 s" in note.body_text and "March's invoice" in note.body_text
    assert ticket.channel == "phone" and ticket.customer_id == call.customer_id
    assert db.session.get(Call, call.id).ticket_id == ticket.id
    post_event({"event": "ringing", "call_id": "c-2", "from": "+34612345678"})
    post_event({"event": "answered", "call_id": "c-2", "agent": "ana@staff.example"})
    second = db.session.scalars(select(Call).where(Call.external_id == "c-2")).one()
    same = call_tickets.log_on_ticket(second, ana, ticket.id, note="Called back")
    assert same.id == ticket.id
    notes = db.session.scalars(select(Message).where(Message.ticket_id == ticket.id, Message.kind == "note")).all()
    assert len(notes) == 2 and "Called back" in notes[1].body_text
