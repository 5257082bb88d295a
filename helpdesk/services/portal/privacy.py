"""What a signed-in customer does about their own data in the portal, through the privacy
services: see and change their consent, ask for an export, ask to be erased."""

from __future__ import annotations

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.i18n import gettext as _
from helpdesk.models import Customer, ErasureRequest
from helpdesk.models.privacy import PURPOSES
from helpdesk.services.portal.tickets import NotAllowed
from helpdesk.services.privacy import consent, erasure, export


def consents(customer: Customer) -> dict[str, bool]:
    """Each purpose and whether the consent in force (or the default, never asked) allows it."""
    found = consent.consents_of(customer)
    return {p: consent.DEFAULTS[p] if found[p] is None else bool(found[p].granted) for p in PURPOSES}


def update_consents(customer: Customer, wanted: dict[str, bool]) -> list[str]:
    """Record the customer's own decision (source "portal") for each purpose in `wanted` whose
    value differs from what is in force; commits. Returns the purposes that changed."""
    now = consents(customer)
    changed = [p for p in PURPOSES if p in wanted and wanted[p] != now[p]]
    for purpose in changed:
        consent.set_consent(customer, purpose, wanted[purpose], "portal", commit=False)
    db.session.commit()
    return changed


def request_export(customer: Customer) -> str:
    """Queue the customer's export, mailed to their e-mail address; returns that address.
    NotAllowed when they have none."""
    address = customer.primary_email
    if not address:
        raise NotAllowed(_("We have no e-mail address to send your data to; please write to us."))
    export.request_export(customer, mail_to=address)
    return address


def pending_erasure(customer: Customer) -> ErasureRequest | None:
    """The customer's erasure request waiting for an admin, if any."""
    return db.session.scalar(select(ErasureRequest).where(ErasureRequest.customer_id == customer.id,
                                                          ErasureRequest.state == "pending"))


def request_erasure(customer: Customer) -> ErasureRequest:
    """Ask for the customer's erasure (an admin approves it); a pending request is returned as is."""
    try:
        return erasure.request_erasure(customer, via="portal")
    except erasure.ErasureError as exc:
        raise NotAllowed(str(exc)) from None
