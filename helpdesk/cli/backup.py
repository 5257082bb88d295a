"""`helpdesk backup create PATH` and `helpdesk backup restore PATH`."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from helpdesk.services.operations import backup as backups

backup = click.Group("backup", help="Consistent backups of the database, stored files and secret key.")


def _places() -> tuple[Path, Path | None]:
    attachments = Path(current_app.config["HELPDESK_ATTACHMENTS_DIR"])
    # A key from HELPDESK_SECRET_KEY lives with the deployment's secrets, not in the instance folder.
    key_file = None if os.environ.get("HELPDESK_SECRET_KEY") else Path(current_app.instance_path) / "secret_key"
    return attachments, key_file


@backup.command("create")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def create(path: Path) -> None:
    """Write a backup archive to PATH (the helpdesk may keep running)."""
    try:
        summary = backups.create(path, *_places())
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backup of the {summary.database} database and {summary.files} stored files written to {path} "
               f"({summary.bytes} bytes)")


@backup.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds tickets.")
@with_appcontext
def restore(path: Path, force: bool) -> None:
    """Restore the backup at PATH over the configured database and files (stop the helpdesk first)."""
    if backups.has_tickets() and not force:
        raise click.ClickException("the configured database holds tickets: stop the helpdesk and pass --force to replace them")
    try:
        summary = backups.restore(path, *_places())
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"restored the {summary.database} database and {summary.files} stored files from {path}")
