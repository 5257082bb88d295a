"""The outbound adapter's pure parts: splitting long text, choosing the media kind, reading settings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from channels.base import DeliveryError
from channels.whatsapp.adapter import WhatsAppChannel, media_kind, split_text
from channels.whatsapp.graph import GraphAccount


def test_short_text_is_one_message():
    assert split_text("  Hola  ") == ["Hola"]
    assert split_text("") == []


def test_long_text_is_cut_at_paragraphs_then_words():
    first, second = "a" * 3000, "b" * 3000
    assert split_text(f"{first}\n\n{second}") == [first, second]
    words = " ".join(["palabra"] * 1200)
    pieces = split_text(words)
    assert all(len(p) <= 4096 for p in pieces) and " ".join(pieces) == words


@given(st.text(alphabet=st.sampled_from("ab \n"), max_size=12000))
def test_pieces_fit_and_lose_no_words(text):
    pieces = split_text(text, limit=500)
    assert all(0 < len(p) <= 500 for p in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split())


@pytest.mark.parametrize(("content_type", "kind"), [
    ("image/jpeg", "image"), ("image/png", "image"), ("image/webp", "document"), ("video/mp4", "video"),
    ("audio/ogg", "audio"), ("application/pdf", "document"), ("text/plain", "document")])
def test_files_go_as_the_media_kind_whatsapp_accepts(content_type, kind):
    assert media_kind(content_type) == kind


def test_settings_come_from_the_account_and_default_to_the_public_api():
    channel = WhatsAppChannel.from_settings({"settings": {"phone_number_id": "123"}, "secrets": {"access_token": "t"}})
    assert channel.account == GraphAccount("123", "t", "https://graph.facebook.com", "v21.0")
    assert channel.client.url("123/messages") == "https://graph.facebook.com/v21.0/123/messages"


def test_an_account_without_token_cannot_send():
    with pytest.raises(DeliveryError) as caught:
        WhatsAppChannel.from_settings({"settings": {"phone_number_id": "123"}, "secrets": {}})
    assert not caught.value.retryable
