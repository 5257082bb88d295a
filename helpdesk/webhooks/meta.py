"""The webhook endpoints of Meta's messaging channels, one pair per account:
/webhooks/<kind>/<account id> (kind "whatsapp" or "messenger").

GET answers Meta's subscription handshake. POST checks the signature over the raw body before
anything else is read, takes every message and status in, and answers 200 only after all of it is
committed; any failure answers 500 so that Meta delivers again (duplicates are stored once).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, Response, abort, request

from helpdesk.extensions import db
from helpdesk.jobs import delivery_status as status_jobs
from helpdesk.models import ChannelAccount
from helpdesk.security import load_json
from helpdesk.services.meta import accounts as meta_accounts
from helpdesk.services.meta.accounts import WebhookReport

log = logging.getLogger(__name__)
Receive = Callable[[ChannelAccount, object], WebhookReport]


def _text(body: str, status: int) -> Response:
    return Response(body, status=status, mimetype="text/plain")


def blueprint(kind: str, receive: Receive) -> Blueprint:
    """The blueprint serving the webhooks of every `kind` account, handing verified payloads to `receive`."""
    bp = Blueprint(f"{kind}_webhook", __name__, url_prefix=f"/webhooks/{kind}")

    def account_or_404(account_id: int) -> ChannelAccount:
        return meta_accounts.get_account(kind, account_id) or abort(404)

    @bp.get("/<int:account_id>")
    def verify(account_id: int) -> Response:
        """Echo `hub.challenge` when Meta subscribes with the account's verify token; 403 otherwise."""
        challenge = meta_accounts.handshake(account_or_404(account_id), request.args)
        return _text(challenge, 200) if challenge is not None else _text("verify token mismatch", 403)

    @bp.post("/<int:account_id>")
    def deliver(account_id: int) -> Response:
        """Take in a signed webhook delivery; 403 (nothing read) when the signature is wrong."""
        account = account_or_404(account_id)
        body = request.get_data(cache=False)
        if not meta_accounts.signature_valid(account, body, request.headers.get("X-Hub-Signature-256")):
            return _text("bad signature", 403)
        try:
            payload = load_json(body)
        except ValueError:  # not JSON, or JSON nested too deep or with a lone surrogate
            return _text("not JSON", 400)
        try:
            report = receive(account, payload)
            for source, status in report.pending:
                status_jobs.recheck_later(source, status)
        except Exception:
            db.session.rollback()
            log.exception("%s webhook of account %s not taken in; Meta will deliver it again", kind, account_id)
            return _text("not processed", 500)
        log.info("%s webhook of account %s: %d stored, %d duplicates, %d statuses, %d kept, %d ignored", kind,
                 account_id, report.stored, report.duplicates, report.statuses, len(report.pending), report.ignored)
        return _text("ok", 200)

    return bp
