"""`helpdesk cti asterisk` against a fake AMI server speaking the real wire format: it logs in,
reads Newchannel/QueueCallerJoin/DialBegin/AgentConnect/BridgeEnter/QueueCallerAbandon/Hangup
events, and posts the calls they make to the CTI webhook of a live helpdesk over HTTP, signed."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from channels.cti.ami import CallTracker
from helpdesk.extensions import db
from helpdesk.models import Call, Ticket
from tests.calls.ami_server import FakeAmi, queue_call_abandoned, queue_call_answered
from tests.support import free_port, serving_thread


@pytest.fixture
def app_config(app_config):
    app_config["SERVER_NAME"] = None  # served on 127.0.0.1:<port> below
    return app_config


@pytest.fixture
def live_url(app):
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    serving_thread(server).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_the_bridge_posts_answered_and_abandoned_queue_calls(app, cti_account, live_url):
    start = time.time() - 600
    ami = FakeAmi("helpdesk", "ami-secret", queue_call_answered("1733570000.101", "612345678", "201", start)
                  + queue_call_abandoned("1733570100.202", "+34 699 000 111", start + 100)).start()
    try:
        result = app.test_cli_runner().invoke(args=[
            "cti", "asterisk", "--account", "office-pbx", "--host", "127.0.0.1", "--port", str(ami.port),
            "--user", "helpdesk", "--secret-stdin", "--url", live_url, "--once"], input="ami-secret\n")
    finally:
        ami.stop()
    assert result.exit_code == 0, result.output
    assert ami.actions[0]["Action"] == "Login" and ami.actions[0]["Secret"] == "ami-secret"
    assert "5 call events posted, 0 refused" in result.output
    db.session.rollback()
    answered = db.session.scalars(select(Call).where(Call.external_id == "1733570000.101")).one()
    assert answered.state == "completed" and answered.agent.email == "ana@staff.example"
    assert answered.from_number == "+34612345678" and answered.queue == "support"
    assert answered.wait_seconds == 12 and answered.talk_seconds == 95
    abandoned = db.session.scalars(select(Call).where(Call.external_id == "1733570100.202")).one()
    assert abandoned.state == "abandoned" and abandoned.cause == "abandoned"
    assert db.session.get(Ticket, abandoned.ticket_id).subject == "Missed call from +34699000111"


def test_a_wrong_ami_secret_is_a_clear_error(app, cti_account):
    ami = FakeAmi("helpdesk", "ami-secret", []).start()
    try:
        result = app.test_cli_runner().invoke(args=[
            "cti", "asterisk", "--account", "office-pbx", "--host", "127.0.0.1", "--port", str(ami.port),
            "--user", "helpdesk", "--secret-stdin", "--once"], input="wrong\n")
    finally:
        ami.stop()
    assert result.exit_code != 0 and "login refused: Authentication failed" in result.output
    unknown = app.test_cli_runner().invoke(args=["cti", "asterisk", "--account", "nope", "--host", "127.0.0.1",
                                                 "--user", "u", "--secret-stdin"], input="x\n")
    assert unknown.exit_code != 0 and "no active CTI account" in unknown.output


def test_an_internal_call_and_events_of_unknown_calls_post_nothing():
    tracker = CallTracker()
    internal = [
        {"Event": "Newchannel", "Uniqueid": "9.1", "Linkedid": "9.1", "CallerIDNum": "201", "Exten": "202"},
        {"Event": "DialBegin", "Uniqueid": "9.1", "Linkedid": "9.1", "CallerIDNum": "201", "DestCallerIDNum": "202"},
        {"Event": "Hangup", "Uniqueid": "9.1", "Linkedid": "9.1", "Cause": "16"},
        {"Event": "Hangup", "Uniqueid": "8.1", "Linkedid": "8.1", "Cause": "16"},
        {"Event": "PeerStatus", "Peer": "PJSIP/201"},
    ]
    assert [tracker.feed(e) for e in internal] == [[], [], [], [], []]
