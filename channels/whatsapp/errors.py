"""Graph API errors as the outbox needs them: retryable or not, with a reason an agent can act on
(WhatsApp's and Messenger's codes alike).

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
    32,  # page request limit reached (Messenger)
    613,  # calls to this API have exceeded the rate limit
    1200,  # temporary send message failure (Messenger)
    80007,  # WhatsApp Business Account rate limit
    130429,  # Cloud API throughput reached
    131000,  # something went wrong
    131016,  # service unavailable
    131056,  # too many messages to the same recipient in a short time
    133004,  # server temporarily unavailable
})

# What the agent should know about the permanent errors they will meet, by (code, subcode); a
# subcode of None is the code's meaning whatever its subcode.
EXPLANATIONS: dict[tuple[int, int | None], str] = {
    (100, None): "Meta refused a parameter of the message",
    (190, None): "the access token has expired or was revoked; add the account again with a new token",
    (10, None): "the access token lacks a permission this call needs",
    (200, None): "the access token lacks a permission this call needs",
    (368, None): "the sender is temporarily blocked for policy violations",
    # WhatsApp
    (131021, None): "the recipient is this business number itself",
    (131026, None): "WhatsApp could not deliver to this number (not on WhatsApp, an outdated app, or terms not "
                    "accepted)",
    (131031, None): "the WhatsApp Business account is locked",
    (131047, None): "the 24-hour customer service window is closed: WhatsApp accepts only template messages "
                    "until the customer writes again",
    (131051, None): "WhatsApp does not support this message type",
    (131052, None): "WhatsApp could not download the media",
    (131053, None): "WhatsApp could not process the uploaded media",
    # Messenger
    (10, 2018278): "the 24-hour messaging window is closed: Messenger accepts a reply only after the customer "
                   "writes again",
    (551, None): "this person is not available on Messenger right now",
    (100, 2018001): "no Messenger user matches this conversation",
}


class GraphError(DeliveryError):
    """A Graph API call failed; `code`, `subcode` and `status` are Meta's error code and subcode
    and the HTTP status."""

    def __init__(self, reason: str, *, retryable: bool, status: int | None = None, code: int | None = None,
                 subcode: int | None = None) -> None:
        super().__init__(reason, retryable=retryable)
        self.status = status
        self.code = code
        self.subcode = subcode


def _as_int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def explain(code: int | None, words: str, subcode: int | None = None) -> str:
    """`words` (Meta's message, title or details) led by what error `code` (and `subcode`) means
    for the agent."""
    meaning = EXPLANATIONS.get((code, subcode)) or EXPLANATIONS.get((code, None)) if code is not None else None
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
    code, subcode = _as_int(error.get("code")), _as_int(error.get("error_subcode"))
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
    return GraphError(explain(code, words, subcode), retryable=retryable, status=status, code=code, subcode=subcode)


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
