"""Telegram updates (samples/*.update.json, shaped as the Bot API documents them), read by
python-telegram-bot and parsed, give exactly the JSON beside them; edge cases inline.

After a deliberate change to the parser, rewrite the expectations with
`UPDATE_GOLDEN=1 pytest tests/channels/telegram/test_parser.py` and review the diff like code.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from channels.telegram.channel import split_text
from channels.telegram.parser import UnreadableUpdate, chat_of, parse_update, read_update, thread_key_for

SAMPLES = Path(__file__).parent / "samples"
SOURCE = "telegram:7"


def parse(data: dict):
    """`data` as a webhook receives it, read and parsed."""
    return parse_update(read_update(data), source=SOURCE)


def as_golden(parsed) -> dict | None:
    if parsed is None:
        return None
    golden = asdict(parsed)
    message = golden["message"]
    message["received_at"] = message["received_at"].isoformat() if message["received_at"] else None
    for empty in ("attachments", "participants", "report", "body_html", "quoted_from", "signature_from",
                  "ticket_hint", "group_hint", "is_automated", "system_sender", "priority_hint", "to", "cc"):
        message.pop(empty)
    return json.loads(json.dumps(golden, ensure_ascii=False))


@pytest.mark.parametrize("sample", sorted(SAMPLES.glob("*.update.json")), ids=lambda p: p.name.split(".")[0])
def test_sample_parses_to_its_expected_json(sample: Path):
    actual = as_golden(parse(json.loads(sample.read_text(encoding="utf-8"))))
    expected_path = sample.with_name(sample.name.replace(".update.json", ".expected.json"))
    if os.environ.get("UPDATE_GOLDEN") == "1":
        expected_path.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert expected_path.exists(), f"no expectation for {sample.name}: run with UPDATE_GOLDEN=1 and review"
    assert actual == json.loads(expected_path.read_text(encoding="utf-8"))


def test_every_expectation_has_its_sample():
    orphans = [p.name for p in SAMPLES.glob("*.expected.json")
               if not p.with_name(p.name.replace(".expected.json", ".update.json")).exists()]
    assert orphans == []


def text_update(**message) -> dict:
    base = {"message_id": 5, "from": {"id": 9, "is_bot": False, "first_name": "Ana"},
            "chat": {"id": 9, "type": "private"}, "date": 1718031600, "text": "hi"}
    return {"update_id": 1, "message": {**base, **message}}


@pytest.mark.parametrize("broken", [
    {"message": {"message_id": 1, "chat": {"id": 1, "type": "private"}, "from": {"id": 1}}},  # no update_id
    {"update_id": 1, "message": {"chat": {"id": 1, "type": "private"}, "from": {"id": 1}}},  # no message_id
    {"update_id": 1, "message": {"message_id": 1, "chat": {"type": "private"}, "from": {"id": 1}}},  # no chat id
    {"update_id": 1, "message": {"message_id": 1, "chat": {"id": 1, "type": "private"}, "from": {"name": "x"}}},
    {"update_id": 1, "callback_query": {"from": {"id": 1}}},  # no id
    text_update(document={"file_name": "x.pdf"}),  # a file without a file_id
])
def test_malformed_updates_are_refused_with_a_reason(broken):
    with pytest.raises(UnreadableUpdate):
        parse(broken)


def test_a_message_with_nothing_we_show_still_says_what_it_was():
    parsed = parse(text_update(text=None, dice={"emoji": "\U0001f3b2", "value": 4}))
    assert parsed.message.body_text == "[dice: not shown here]"


def test_an_unknown_update_kind_is_no_customer_message():
    answer = {"poll_id": "1", "option_ids": [0], "option_persistent_ids": ["0"],
              "user": {"id": 9, "is_bot": False, "first_name": "Ana"}}
    assert parse({"update_id": 3, "poll_answer": answer}) is None


def test_what_is_no_update_object_is_refused_before_parsing():
    for data in (None, [], "update", 5):
        with pytest.raises(UnreadableUpdate):
            read_update(data)


def test_thread_keys_carry_the_chat_both_ways():
    assert chat_of(thread_key_for(-1001234567890)) == "-1001234567890"
    assert chat_of("chat:42/17") == "42"
    assert chat_of("mailbox-thread") is None and chat_of(None) is None and chat_of("chat:abc") is None


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=20_000), st.integers(20, 5000))
def test_split_text_keeps_every_word_and_respects_the_limit(text, limit):
    pieces = split_text(text, limit)
    assert all(0 < len(p) <= limit for p in pieces)
    assert "".join("".join(p.split()) for p in pieces) == "".join(text.split())


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                        st.sampled_from(["update_id", "message", "edited_message", "callback_query", "chat", "from",
                                         "id", "message_id", "text", "photo", "document", "file_id", "type"]),
                        inner, max_size=5), max_leaves=30))
def test_any_json_either_parses_or_is_refused_cleanly(update):
    try:
        parse(update)
    except UnreadableUpdate:
        pass
