"""Graph API errors become retryable or permanent delivery errors with a reason an agent can act on."""

from __future__ import annotations

import json

import pytest

from channels.whatsapp.errors import from_response, status_error


def _error(code: int, message: str, **extra) -> bytes:
    return json.dumps({"error": {"message": message, "type": "OAuthException", "code": code,
                                 "fbtrace_id": "AbCdEf123"} | extra}).encode()


@pytest.mark.parametrize(("status", "code"), [(400, 130429), (400, 4), (400, 80007), (400, 131056), (500, 1),
                                              (503, 2), (400, 131000), (400, 133004)])
def test_rate_limits_and_transient_faults_are_retryable(status, code):
    error = from_response(status, _error(code, f"(#{code}) try later"))
    assert error.retryable and error.code == code and error.status == status


@pytest.mark.parametrize(("code", "says"), [
    (131047, "the 24-hour customer service window is closed"),
    (131026, "WhatsApp could not deliver to this number"),
    (100, "Meta refused a parameter of the message"),
    (190, "the access token has expired or was revoked"),
    (131051, "WhatsApp does not support this message type"),
])
def test_permanent_errors_say_what_they_mean(code, says):
    error = from_response(400, _error(code, f"(#{code}) something", error_subcode=2494010,
                                      error_data={"messaging_product": "whatsapp", "details": "the details"}))
    assert not error.retryable and error.reason.startswith(says)
    assert f"Graph API error {code}/2494010: (#{code}) something; the details; fbtrace_id AbCdEf123" in error.reason


def test_http_429_and_5xx_are_retryable_even_without_a_known_code():
    assert from_response(429, _error(613, "Calls to this api have exceeded the rate limit")).retryable
    assert from_response(502, b"<html>Bad Gateway</html>").retryable
    assert "Bad Gateway" in from_response(502, b"<html>Bad Gateway</html>").reason


def test_a_4xx_without_a_json_error_is_permanent():
    error = from_response(404, b"Not Found")
    assert not error.retryable and error.reason == "Graph API HTTP 404: Not Found"


def test_a_failed_status_explains_its_first_error():
    errors = [{"code": 131047, "title": "Re-engagement message", "error_data": {"details": "More than 24 hours."}}]
    assert status_error(errors) == ("the 24-hour customer service window is closed: WhatsApp accepts only template "
                                    "messages until the customer writes again (Re-engagement message (131047): "
                                    "More than 24 hours.)")
    assert status_error([{"code": 999, "title": "Odd"}]) == "Odd (999)"
    assert status_error("nonsense") == "delivery failed"
