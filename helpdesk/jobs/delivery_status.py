"""Delivery callbacks that overtook their send's receipt, kept on the job queue until it lands.

A provider may report "delivered" for a message before our send has committed the provider id
the report names. Dropping the report would lose the state for good (providers send each state
once), so it waits on the durable Huey queue and is applied again after a delay, for as long as a
send on its account is still in flight; then it is applied or, if still unmatched, dropped as a
report about a message we did not send. Wired by `create_app` through `init_app`.
"""

from __future__ import annotations

import logging

from flask import Flask

from channels.base import DeliveryStatus
from helpdesk.jobs.queue import huey
from helpdesk.services import delivery_status

log = logging.getLogger(__name__)
RECHECK_DELAYS = (2, 10, 30, 120, 600)  # seconds; a send holds "sending" at most for its HTTP timeout
_app: Flask | None = None


def init_app(app: Flask) -> None:
    """Bind the recheck task to `app`."""
    global _app
    _app = app


def recheck_later(source: str, status: DeliveryStatus, attempt: int = 0) -> bool:
    """Keep `status` and apply it again after the `attempt`-th delay; False once they are used up."""
    if attempt >= len(RECHECK_DELAYS):
        log.warning("delivery status %s for %s on %s dropped: no send of ours names it",
                    status.state, status.provider_id, source)
        return False
    apply_late_status.schedule((source, status, attempt), delay=RECHECK_DELAYS[attempt])
    return True


@huey.task()
def apply_late_status(source: str, status: DeliveryStatus, attempt: int) -> str:
    """Apply a kept status now; keep it again while its send may still be finishing."""
    assert _app is not None, "status_jobs.init_app was not called"
    with _app.app_context():
        outcome = delivery_status.apply(source, status)
    if outcome == "pending":
        recheck_later(source, status, attempt + 1)
    elif outcome == "unknown":
        log.info("delivery status %s for %s on %s matches no message we sent", status.state, status.provider_id,
                 source)
    return outcome
