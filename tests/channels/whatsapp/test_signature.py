"""Meta's webhook authentication: the HMAC signature over the raw body and the subscription handshake."""

from __future__ import annotations

import hashlib
import hmac

from channels.whatsapp.signature import handshake_challenge, sign, signature_valid

SECRET = "0c6d9f1e2b3a4c5d6e7f8091a2b3c4d5"
BODY = b'{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[]}]}'


def test_the_signature_is_sha256_hmac_of_the_raw_body_in_hex():
    expected = hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    assert sign(BODY, SECRET) == "sha256=" + expected
    assert signature_valid(BODY, "sha256=" + expected, SECRET)
    assert signature_valid(BODY, "SHA256=" + expected.upper(), SECRET)  # hex case is not meaningful


def test_any_change_to_body_secret_or_header_is_refused():
    good = sign(BODY, SECRET)
    assert not signature_valid(BODY + b" ", good, SECRET)  # re-serialised JSON is a different body
    assert not signature_valid(BODY, good, SECRET + "x")
    assert not signature_valid(BODY, good.replace("sha256=", "sha1="), SECRET)
    assert not signature_valid(BODY, good[:-2], SECRET)
    assert not signature_valid(BODY, None, SECRET) and not signature_valid(BODY, "", SECRET)
    assert not signature_valid(BODY, "sha256=é" + good[8:], SECRET)
    assert not signature_valid(BODY, sign(BODY, ""), "")  # no app secret configured: nothing is trusted


def test_the_handshake_echoes_the_challenge_only_for_a_subscription_with_our_token():
    params = {"hub.mode": "subscribe", "hub.verify_token": "tok", "hub.challenge": "1158201444"}
    assert handshake_challenge(params, "tok") == "1158201444"
    assert handshake_challenge(params | {"hub.verify_token": "other"}, "tok") is None
    assert handshake_challenge(params | {"hub.mode": "unsubscribe"}, "tok") is None
    assert handshake_challenge({"hub.mode": "subscribe", "hub.challenge": "1"}, "tok") is None
    assert handshake_challenge(params | {"hub.verify_token": ""}, "") is None
