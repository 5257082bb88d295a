"""The Messenger webhook parser: each kind of event to the message, status or watermark it means,
our own echoes and odd shapes skipped, and no input ever raising."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from channels.base import DeliveryStatus
from channels.messenger.parser import FileRef, Watermark, entries, parse_entry

PAGE = "682498302938465"
PSID = "6783245098712345"
SOURCE = "messenger:3"
AT = 1718031600123


def _event(part: str, content: dict, sender: str = PSID) -> dict:
    return {"sender": {"id": sender}, "recipient": {"id": PAGE}, "timestamp": AT, part: content}


def _parse(*events: dict):
    ((page_id, found),) = entries({"object": "page", "entry": [{"id": PAGE, "time": AT, "messaging": list(events)}]})
    return parse_entry(page_id, found, SOURCE)


def test_a_text_with_a_reply_reference_is_one_message_on_the_customers_thread():
    page = _parse(_event("message", {"mid": "m_1", "text": " hola ", "reply_to": {"mid": "m_0"}}))
    (parsed,) = page.messages
    message = parsed.message
    assert (message.external_id, message.body_text, message.thread_key) == ("m_1", "hola", PSID)
    assert (message.sender.kind, message.sender.address, message.channel) == ("messenger", PSID, "messenger")
    assert message.received_at == datetime(2024, 6, 10, 15, 0, 0, 123000, tzinfo=UTC)
    assert message.metadata == {"reply_to": "m_0"} and parsed.files == ()


def test_files_locations_and_shared_links_are_all_kept():
    attachments = [
        {"type": "image", "payload": {"url": "https://scontent.xx.fbcdn.net/v/t1/387164_n.jpg?_nc_cat=1"}},
        {"type": "file", "payload": {"url": "https://cdn.fbsbx.com/v/t59/presupuesto.pdf?oh=1"}},
        {"type": "location", "payload": {"coordinates": {"lat": 40.4168, "long": -3.7038}}},
        {"type": "fallback", "title": "Nuestro catálogo", "url": "https://tienda.example/catalogo"},
    ]
    (parsed,) = _parse(_event("message", {"mid": "m_2", "attachments": attachments})).messages
    assert parsed.files == (
        FileRef("https://scontent.xx.fbcdn.net/v/t1/387164_n.jpg?_nc_cat=1", "image", "387164_n.jpg"),
        FileRef("https://cdn.fbsbx.com/v/t59/presupuesto.pdf?oh=1", "file", "presupuesto.pdf"))
    assert parsed.message.body_text == ("[Image]\n[File]\nLocation: 40.4168, -3.7038\n"
                                        "Nuestro catálogo https://tienda.example/catalogo")


def test_postbacks_and_reactions_become_messages_reactions_marked_automated():
    page = _parse(_event("postback", {"mid": "m_3", "title": "Hablar con una persona", "payload": "HUMAN"}),
                  _event("reaction", {"mid": "m_ours", "action": "react", "emoji": "\u2764", "reaction": "love"}),
                  _event("reaction", {"mid": "m_ours", "action": "unreact", "reaction": "love"}))
    postback, react, unreact = (p.message for p in page.messages)
    assert (postback.external_id, postback.body_text, postback.is_automated) == ("m_3", "Hablar con una persona", False)
    assert react.body_text == "Reacted \u2764 to a message" and react.is_automated
    assert unreact.body_text == "Removed a reaction" and react.external_id != unreact.external_id
    assert react.metadata == {"reacted_to": "m_ours"}


def test_deliveries_name_messages_and_watermarks_and_reads_carry_a_watermark():
    page = _parse(_event("delivery", {"mids": ["m_a", "m_b"], "watermark": AT}), _event("read", {"watermark": AT}))
    assert page.statuses == (DeliveryStatus("m_a", "delivered", recipient=PSID),
                             DeliveryStatus("m_b", "delivered", recipient=PSID))
    until = datetime(2024, 6, 10, 15, 0, 0, 123000, tzinfo=UTC)
    assert page.watermarks == (Watermark(PSID, "delivered", until), Watermark(PSID, "read", until))
    assert page.messages == ()


def test_echoes_of_our_own_messages_are_skipped_and_broken_events_counted():
    page = _parse(_event("message", {"mid": "m_e", "is_echo": True, "text": "ours"}, sender=PAGE),
                  _event("message", {"text": "no id"}), {"recipient": {"id": PAGE}, "message": {"mid": "m_x"}},
                  _event("optin", {"ref": "x"}))
    assert page.messages == () and page.skipped == 3


def test_other_objects_are_not_messenger():
    assert list(entries({"object": "whatsapp_business_account", "entry": []})) == []
    assert list(entries({"object": "page", "entry": [{"id": PAGE, "standby": []}]})) == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=40,
)
event_like = st.fixed_dictionaries({}, optional={
    "sender": st.fixed_dictionaries({"id": st.just(PSID) | json_values}) | json_values,
    "timestamp": json_values, "message": json_values, "postback": json_values, "reaction": json_values,
    "delivery": json_values, "read": json_values})


@given(st.lists(event_like, max_size=4), json_values)
def test_no_payload_makes_the_parser_raise(events, page_id):
    for found_page, found in entries({"object": "page", "entry": [{"id": page_id, "messaging": events}]}):
        parse_entry(found_page, found, SOURCE)
    parse_entry(PAGE, events, SOURCE)
