"""The adapter of demo accounts: nothing leaves the machine, every reply counts as delivered.

`helpdesk demo` marks its channel accounts (and its e-mail, web and phone tickets) as demo, so a
first reply on them shows how the console looks after a delivery instead of failing on a bot
token or an SMTP server that does not exist."""

from __future__ import annotations

from channels.base import DeliveryReceipt, OutboundMessage

PROVIDER_PREFIX = "simulated:"


class SimulatedChannel:
    """Accepts every message and reports it delivered under a `simulated:` provider id."""

    name = "simulated"

    def send(self, message: OutboundMessage) -> DeliveryReceipt:
        """A delivered receipt keyed by the message's idempotency key (the same on a retry)."""
        return DeliveryReceipt(provider_id=f"{PROVIDER_PREFIX}{message.delivery_key or message.message_id}",
                               state="delivered")


def is_simulated(provider_id: str | None) -> bool:
    """True for a delivery the simulator recorded (the console says so beside the state)."""
    return provider_id is not None and provider_id.startswith(PROVIDER_PREFIX)
