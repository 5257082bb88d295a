"""`helpdesk customers export|erase`, `helpdesk retention run`, `helpdesk attachments check`:
a customer's data as an archive, their erasure, the retention policies applied now, orphan files."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from helpdesk.services import audit, customers
from helpdesk.services.privacy import erasure, export

customer_commands = click.Group("customers", help="Customers' data: export and erasure.")


def _customer(customer_id: int):
    try:
        return customers.get_active(customer_id)
    except customers.CustomerNotFound as exc:
        hint = f" (merged into {exc.merged_into_id})" if exc.merged_into_id else ""
        raise click.UsageError(f"no customer {customer_id}{hint}") from None


@customer_commands.command("export")
@click.option("--id", "customer_id", type=int, required=True, help="The customer's id.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True, help="The zip file to write.")
@click.option("--internal", is_flag=True, help="Also the internal notes on their tickets and the staff's note about them.")
@with_appcontext
def export_customer(customer_id: int, out: str, internal: bool) -> None:
    """Write everything of one customer (JSON and their files) to a zip archive."""
    customer = _customer(customer_id)
    document = export.write_archive(customer, out, include_internal=internal)
    audit.record(audit.CLI, "customer.export", "customer", customer.id, internal=internal)
    from helpdesk.extensions import db

    db.session.commit()
    click.echo(f"wrote {out}: {len(document['tickets'])} tickets, {len(document['identities'])} identities")


@customer_commands.command("erase")
@click.option("--id", "customer_id", type=int, required=True, help="The customer's id.")
@click.option("--yes", is_flag=True, help="Confirm: erasure cannot be undone.")
@with_appcontext
def erase_customer(customer_id: int, yes: bool) -> None:
    """Anonymise one customer irreversibly (their tickets stay as 'Erased customer')."""
    customer = _customer(customer_id)
    if not yes:
        raise click.UsageError("erasure cannot be undone: add --yes to confirm")
    try:
        report = erasure.erase(customer, actor=audit.CLI, compact_now=True)
    except erasure.ErasureError as exc:
        raise click.UsageError(str(exc)) from None
    done = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in report.counts.items() if v)
    click.echo(f"erased customer {customer_id}: {done or 'nothing else'}; {report.files_removed} files removed")


retention_commands = click.Group("retention", help="Retention of closed tickets per channel.")


@retention_commands.command("run")
@click.option("--dry-run", is_flag=True, help="Only count what each policy would anonymise or delete.")
@with_appcontext
def run_retention(dry_run: bool) -> None:
    """Apply every enabled channel policy now (what the daily job does), or count it first."""
    from helpdesk.services.privacy import retention

    results = retention.run(dry_run=dry_run)
    if not results:
        click.echo("no retention policy is enabled: add one on the admin page Retention")
    for r in results:
        verb = "would " + r["action"] if dry_run else r["action"] + "d"
        click.echo(f"{r['channel']} (closed > {r['days']} days): {verb} {r['tickets']} tickets, {r['messages']} messages, "
                   f"{r['attachments']} attachments ({r['bytes']} bytes)")


attachment_commands = click.Group("attachments", help="Stored files.")


@attachment_commands.command("check")
@click.option("--delete", "remove", is_flag=True, help="Also delete the orphan files.")
@with_appcontext
def check_attachments(remove: bool) -> None:
    """List files in the attachments folder that no row names (orphans); exit status 1 if any."""
    from helpdesk.services.privacy import orphans

    found = orphans.orphan_files()
    for path in found:
        click.echo(str(path))
        if remove:
            path.unlink(missing_ok=True)
    click.echo(f"{len(found)} orphan files" + (" deleted" if remove and found else ""))
    if found and not remove:
        raise SystemExit(1)
