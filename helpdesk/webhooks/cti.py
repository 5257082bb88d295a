"""POST /webhooks/cti/<account id>: a PBX reports one call event per request (see
channels/cti/events.py for the body, channels/cti/signature.py for `X-Helpdesk-Signature`).

The signature over the raw body is checked before anything is parsed (wrong or missing: 403,
nothing stored). A JSON body, or multipart/form-data whose fields are the same and whose file
`recording` is a voicemail. 200 only after the event is committed: {"ok": true, "call_id",
"state", "duplicate", "ticket_id"}; 4xx names the bad field; 503 when a recording URL could not
be fetched yet (deliver again).
"""

from __future__ import annotations

import io
import logging

from flask import Blueprint, jsonify, request
from werkzeug.formparser import FormDataParser

from channels.base import Attachment
from channels.cti import events as cti_events
from channels.cti import signature
from helpdesk.security import load_json
from helpdesk.services.calls import accounts, intake

log = logging.getLogger(__name__)
bp = Blueprint("cti_webhook", __name__, url_prefix="/webhooks/cti")
MAX_BODY = cti_events.RECORDING_MAX_BYTES + 64 * 1024


def _refused(status: int, error: str, field: str | None = None):
    return jsonify(ok=False, error=error, **({"field": field} if field else {})), status


def _multipart(body: bytes) -> tuple[dict, Attachment | None]:
    # The body was read whole for the signature: the form is parsed from those bytes.
    _, form, files = FormDataParser(max_content_length=MAX_BODY).parse(
        io.BytesIO(body), request.mimetype, len(body), request.mimetype_params)
    upload = files.get("recording")
    recording = None
    if upload is not None:
        recording = Attachment(filename=upload.filename or "voicemail", content=upload.read(),
                               content_type=upload.mimetype or "application/octet-stream")
    return form.to_dict(), recording


@bp.post("/<int:account_id>")
def receive(account_id: int):
    """Take in one signed call event of CTI account `account_id`."""
    account = accounts.get_account(account_id)
    if account is None:
        return _refused(404, "no such CTI account")
    if (request.content_length or 0) > MAX_BODY:
        return _refused(413, "body too large")
    body = request.get_data(cache=False)
    if not signature.valid(body, request.headers.get(signature.HEADER), accounts.secret(account)):
        return _refused(403, "bad or missing signature")
    try:
        if request.mimetype == "multipart/form-data":
            payload, recording = _multipart(body)
        else:
            payload, recording = load_json(body), None
    except ValueError:  # not JSON, or JSON nested too deep
        return _refused(400, "the body must be a JSON object (or multipart/form-data)", "body")
    try:
        event = cti_events.parse(payload, region=accounts.region(account), recording=recording)
        outcome = intake.receive(account, event)
    except cti_events.EventError as exc:
        return _refused(422 if exc.field != "body" else 400, exc.message, exc.field)
    except intake.RecordingUnavailable as exc:
        log.warning("CTI account %s: recording not fetched yet: %s", account_id, exc)
        return _refused(503, "the recording could not be fetched yet; deliver the event again")
    return jsonify(ok=True, call_id=outcome.call_id, state=outcome.state, duplicate=outcome.duplicate,
                   ticket_id=outcome.ticket_id)
