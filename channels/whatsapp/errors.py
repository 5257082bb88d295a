"""Graph API errors as the outbox needs them: retryable or not, with a reason an agent can act on.

Meta answers a failed call with `{"error": {"message", "type", "code", "error_subcode",
"error_data": {"details"}, "fbtrace_id"}}`; the same codes come back in failed status callbacks.
"""

from __future__ import annotations

import json

from channels.base import DeliveryError

# Throughput and rate limits, and Meta's own transient faults: trying later can succeed.
RETRYABLE_CODES = frozenset({
    1,  # unknown error
    2,  # service temporarily unavailable
    4,  # application request limit reached
    80007,  # WhatsApp Business Account rate limit
    130429,  # Cloud API throughput reached
    131000,  # something went wrong
    131016,  # service unavailable
    131056,  # too many messages to the same recipient in a short time
    133004,  # server temporarily unavailable
})

# What the agent should know about the permanent errors they will meet.
EXPLANATIONS = {
    100: "WhatsApp refused a parameter of the message",
    190: "the access token has expired or was revoked; add the account again with a new token",
    10: "the access token lacks the whatsapp_business_messaging permission",
    200: "the access token lacks the whatsapp_business_messaging permission",
    368: "the number is temporarily blocked for policy violations",
    131021: "the recipient is this business number itself",
    131026: "WhatsApp could not deliver to this number (not on WhatsApp, an outdated app, or terms not accepted)",
    131031: "the WhatsApp Business account is locked",
    131047: "the 24-hour customer service window is closed: WhatsApp accepts only template messages until "
            "the customer writes again",
    131051: "WhatsApp does not support this message type",
    131052: "WhatsApp could not download the media",
    131053: "WhatsApp could not process the uploaded media",
}


class GraphError(DeliveryError):
    """A Graph API call failed; `code` and `status` are Meta's error code and the HTTP status."""

    def __init__(self, reason: str, *, retryable: bool, status: int | None = None, code: int | None = None) -> None:
        super().__init__(reason, retryable=retryable)
        self.status = status
        self.code = code


def _as_int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def explain(code: int | None, words: str) -> str:
    """`words` (Meta's message, title or details) led by what error `code` means for the agent."""
    meaning = EXPLANATIONS.get(code) if code is not None else None
    return f"{meaning} ({words})" if meaning else words


def from_response(status: int, body: bytes) -> GraphError:
    """The error a non-2xx Graph API answer (HTTP `status`, raw `body`) stands for."""
    try:
        error = json.loads(body.decode("utf-8", "replace")).get("error")
    except (ValueError, AttributeError):
        error = None
    if not isinstance(error, dict):
        words = body.decode("utf-8", "replace").strip()[:200] or "no error body"
        retryable = status == 429 or status == 408 or status >= 500
        return GraphError(f"Graph API HTTP {status}: {words}", retryable=retryable, status=status)
    code = _as_int(error.get("code"))
    details = error.get("error_data", {}).get("details") if isinstance(error.get("error_data"), dict) else None
    words = f"Graph API error {code}"
    if error.get("error_subcode") is not None:
        words += f"/{error.get('error_subcode')}"
    words += f": {error.get('message') or 'no message'}"
    if details:
        words += f"; {details}"
    if error.get("fbtrace_id"):
        words += f"; fbtrace_id {error['fbtrace_id']}"
    retryable = status == 429 or status >= 500 or code in RETRYABLE_CODES
    return GraphError(explain(code, words), retryable=retryable, status=status, code=code)


def status_error(errors: object) -> str:
    """The reason a failed status callback gives (its first `errors` entry), explained."""
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    code = _as_int(first.get("code"))
    title = str(first.get("title") or first.get("message") or "delivery failed")
    data = first.get("error_data")
    details = data.get("details") if isinstance(data, dict) else None
    words = f"{title} ({code})" if code is not None else title
    if details:
        words += f": {details}"
    return explain(code, words)
