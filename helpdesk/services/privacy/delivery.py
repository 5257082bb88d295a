"""The portal's export, delivered: the archive prepared and its signed link mailed to the customer."""

from __future__ import annotations

from flask import current_app

from helpdesk.extensions import db
from helpdesk.models import Customer
from helpdesk.services.mail.notices import send_notice
from helpdesk.services.privacy import export

SUBJECT = "Your data export is ready"
BODY = ("Hello,\n\nthe copy of your data you asked for is ready. Download it here (the link works for "
        "{hours} hours):\n\n{link}\n\nIf you did not ask for it, you can ignore this message.\n")


def link_for(token: str) -> str:
    """The public download URL of a prepared export."""
    return f"{current_app.config['HELPDESK_PUBLIC_URL']}/privacy/export/{token}"


def prepare_and_mail(customer_id: int, mail_to: str) -> str | None:
    """Prepare the archive of customer `customer_id` and mail the link to `mail_to`; the provider's
    id, or None when the customer no longer exists or was erased."""
    customer = db.session.get(Customer, customer_id)
    if customer is None or customer.erased_at is not None:
        return None
    token = export.prepare(customer)
    return send_notice(mail_to, SUBJECT, BODY.format(hours=export.EXPORT_LINK_HOURS, link=link_for(token)))
