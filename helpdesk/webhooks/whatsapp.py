"""The WhatsApp Cloud API webhook of one account: /webhooks/whatsapp/<account id>.

GET answers Meta's subscription handshake. POST checks the signature over the raw body before
anything else is read, takes every message and status in, and answers 200 only after all of it is
committed; any failure answers 500 so that Meta delivers again (duplicates are stored once).
"""

from __future__ import annotations

import json
import logging

from flask import Blueprint, Response, abort, request

from helpdesk import status_jobs
from helpdesk.extensions import db
from helpdesk.services import whatsapp_accounts, whatsapp_inbound

log = logging.getLogger(__name__)
bp = Blueprint("whatsapp_webhook", __name__, url_prefix="/webhooks/whatsapp")


def _text(body: str, status: int) -> Response:
    return Response(body, status=status, mimetype="text/plain")


@bp.get("/<int:account_id>")
def verify(account_id: int) -> Response:
    """Echo `hub.challenge` when Meta subscribes with the account's verify token; 403 otherwise."""
    account = whatsapp_accounts.get_account(account_id) or abort(404)
    challenge = whatsapp_accounts.handshake(account, request.args)
    return _text(challenge, 200) if challenge is not None else _text("verify token mismatch", 403)


@bp.post("/<int:account_id>")
def receive(account_id: int) -> Response:
    """Take in a signed webhook delivery; 403 (nothing read) when the signature is wrong."""
    account = whatsapp_accounts.get_account(account_id) or abort(404)
    body = request.get_data(cache=False)
    if not whatsapp_accounts.signature_valid(account, body, request.headers.get("X-Hub-Signature-256")):
        return _text("bad signature", 403)
    try:
        payload = json.loads(body)
    except ValueError:
        return _text("not JSON", 400)
    try:
        report = whatsapp_inbound.receive(account, payload)
        for source, status in report.pending:
            status_jobs.recheck_later(source, status)
    except Exception:
        db.session.rollback()
        log.exception("WhatsApp webhook of account %s not taken in; Meta will deliver it again", account_id)
        return _text("not processed", 500)
    log.info("WhatsApp webhook of account %s: %d stored, %d duplicates, %d statuses, %d kept, %d ignored",
             account_id, report.stored, report.duplicates, report.statuses, len(report.pending), report.ignored)
    return _text("ok", 200)
