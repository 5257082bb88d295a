"""`helpdesk kb ...`: knowledge-base maintenance from the command line."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

kb = click.Group("kb", help="Knowledge base.")


@kb.command("reindex")
@with_appcontext
def reindex() -> None:
    """Rebuild the search index from the published articles."""
    from knowledge_base import indexing

    started = time.perf_counter()
    count = indexing.rebuild()
    click.echo(f"indexed {count} translations in {time.perf_counter() - started:.1f} s")
