"""`helpdesk portal link --email ADDRESS`: a one-time portal sign-in link for a customer, printed
(for the demo, or to hand a customer over the phone when their mail does not arrive)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from helpdesk.extensions import db
from helpdesk.services import audit
from helpdesk.services.portal import links

portal = click.Group("portal", help="The customer portal.")


@portal.command("link")
@click.option("--email", required=True, help="The customer's e-mail address.")
@click.option("--lang", type=click.Choice(links.LANGUAGES), default="en", show_default=True)
@with_appcontext
def link(email: str, lang: str) -> None:
    """Print a sign-in link for the customer with this address (one use, 15 minutes)."""
    customer = links.customer_for_address(email)
    if customer is None:
        raise click.UsageError(f"no customer has the e-mail address {email}")
    token = links.issue(customer, "cli")
    audit.record(audit.CLI, "customer.portal_link", "customer", customer.id)
    db.session.commit()
    click.echo(f"{current_app.config['HELPDESK_PUBLIC_URL']}/portal/{lang}/sign-in/{token}")
