"""`helpdesk reports rebuild`: recompute every report fact and rollup from the stored history."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from helpdesk.services.reports import facts as report_facts

reports = click.Group("reports", help="Agent performance reports.")


@reports.command("rebuild")
@with_appcontext
def rebuild() -> None:
    """Recompute the report facts of every ticket and every daily rollup (safe to run again)."""
    started = time.monotonic()
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if time.monotonic() - last[0] >= 5 or done == total:
            last[0] = time.monotonic()
            click.echo(f"{done}/{total} tickets")

    count = report_facts.rebuild(progress)
    click.echo(f"rebuilt {count} facts in {time.monotonic() - started:.1f} s")
