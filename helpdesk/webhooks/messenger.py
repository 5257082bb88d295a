"""The Messenger webhook of each Page: /webhooks/messenger/<account id> (see webhooks.meta)."""

from __future__ import annotations

from helpdesk.services.meta import messenger_inbound
from helpdesk.webhooks import meta

bp = meta.blueprint("messenger", messenger_inbound.receive)
