"""The WhatsApp webhook parser: real payload shapes to the exact messages and statuses expected,
odd shapes skipped, and no input ever raising.

After a deliberate change to the parser, rewrite the expectations with
`UPDATE_GOLDEN=1 pytest tests/channels/whatsapp/test_parser.py` and review the diff like code.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from channels.whatsapp import parser
from tests.channels.email.golden import as_golden
from tests.channels.golden_files import assert_golden, orphans

SAMPLES = Path(__file__).parent / "samples"
SOURCE = "whatsapp:7"


def parse_all(payload) -> list[dict]:
    """Every change of a payload in the JSON shape the expectation files hold."""
    found = []
    for number, value in parser.changes(payload):
        change = parser.parse_change(value, SOURCE)
        found.append({
            "phone_number_id": number,
            "skipped": change.skipped,
            "messages": [as_golden(p.message) | {"thread_key": p.message.thread_key,
                                                 "sender_kind": p.message.sender.kind,
                                                 "media": asdict(p.media) if p.media else None}
                         for p in change.messages],
            "statuses": [asdict(s) | {"at": s.at.isoformat() if s.at else None} for s in change.statuses],
        })
    return found


@pytest.mark.parametrize("sample", sorted(SAMPLES.glob("*.webhook.json")), ids=lambda p: p.name.split(".")[0])
def test_sample_parses_to_its_expected_json(sample: Path):
    actual = parse_all(json.loads(sample.read_text(encoding="utf-8")))
    assert_golden(actual, sample.with_name(sample.name.replace(".webhook.json", ".expected.json")))


def test_every_expectation_has_its_sample():
    assert orphans(SAMPLES, ".webhook.json") == []


def test_other_objects_and_fields_are_not_whatsapp_messages():
    page = {"object": "page", "entry": [{"id": "1", "messaging": []}]}
    account_update = {"object": "whatsapp_business_account", "entry": [{"changes": [
        {"field": "account_update", "value": {"metadata": {"phone_number_id": "1"}}}]}]}
    assert list(parser.changes(page)) == [] and list(parser.changes(account_update)) == []


def test_a_sender_number_is_normalised_to_plus_and_digits_and_is_the_thread():
    value = {"metadata": {"phone_number_id": "1"}, "messages": [
        {"from": "34 600-123-456", "id": "wamid.A", "type": "text", "text": {"body": "hola"}}]}
    (parsed,) = parser.parse_change(value, SOURCE).messages
    assert parsed.message.sender.address == "+34600123456" and parsed.message.thread_key == "34600123456"
    assert parsed.message.sender.name is None and parsed.message.received_at is None


def test_a_media_message_without_a_media_id_keeps_its_text_and_fetches_nothing():
    value = {"metadata": {"phone_number_id": "1"}, "messages": [
        {"from": "1555", "id": "wamid.B", "type": "video", "video": {"caption": "mira esto"}}]}
    (parsed,) = parser.parse_change(value, SOURCE).messages
    assert parsed.media is None and parsed.message.body_text == "mira esto"


def test_a_failed_status_without_errors_still_says_it_failed():
    status = parser.parse_status({"id": "wamid.C", "status": "failed", "timestamp": "x"})
    assert status is not None and status.error == "delivery failed" and status.at is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=40,
)
message_like = st.fixed_dictionaries({}, optional={
    "from": json_values | st.just("34600123456"), "id": json_values | st.just("wamid.X"),
    "timestamp": json_values, "type": st.sampled_from(["text", "image", "document", "location", "contacts",
                                                       "interactive", "button", "reaction", "audio", "system",
                                                       "unsupported", "order"]) | json_values,
    "text": json_values, "image": json_values, "document": json_values, "location": json_values,
    "contacts": json_values, "interactive": json_values, "reaction": json_values, "context": json_values,
    "errors": json_values, "audio": json_values, "button": json_values})


@given(messages=st.lists(message_like, max_size=3), statuses=st.lists(json_values, max_size=3),
       contacts=json_values, metadata=json_values)
def test_no_payload_makes_the_parser_raise(messages, statuses, contacts, metadata):
    value = {"metadata": metadata, "contacts": contacts, "messages": messages, "statuses": statuses}
    payload = {"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": value}]}]}
    for _, change_value in parser.changes(payload):
        change = parser.parse_change(change_value, SOURCE)
        for parsed in change.messages:
            assert parsed.message.external_id and parsed.message.sender.address.startswith("+")
    parser.parse_change(value, SOURCE)
