"""POST /webhooks/telegram/<bot id>: Telegram delivers one update per call (webhook mode).

The answer is 2xx only once the update is committed: on any failure Telegram delivers it again
later, and ingestion's idempotency drops what was already stored.
"""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request

from channels.telegram.client import TelegramApiError
from helpdesk.services.telegram import inbound as telegram_inbound

log = logging.getLogger(__name__)

bp = Blueprint("telegram_webhook", __name__, url_prefix="/webhooks/telegram")


@bp.post("/<int:account_id>")
def receive(account_id: int):
    """Check the secret token, store the update, answer 200 after the commit."""
    try:
        outcome = telegram_inbound.receive_webhook(account_id, request.headers.get("X-Telegram-Bot-Api-Secret-Token"),
                                                   request.get_json(silent=True))
    except telegram_inbound.WebhookRefused as exc:
        return jsonify(ok=False, error=str(exc)), exc.status
    except TelegramApiError as exc:  # a file could not be fetched: nothing stored, Telegram retries
        log.warning("telegram bot %s: update not stored yet: %s", account_id, exc.reason)
        return jsonify(ok=False, error="try again later"), 503
    return jsonify(ok=True, duplicate=outcome.duplicate)
