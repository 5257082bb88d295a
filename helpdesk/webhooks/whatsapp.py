"""The WhatsApp Cloud API webhook of each account: /webhooks/whatsapp/<account id> (see webhooks.meta)."""

from __future__ import annotations

from helpdesk.services.meta import whatsapp_inbound
from helpdesk.webhooks import meta

bp = meta.blueprint("whatsapp", whatsapp_inbound.receive)
