"""`helpdesk topics`: refit the topic model now, with a progress bar, and list the topics."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Topic
from helpdesk.services.topics import curation
from helpdesk.services.topics import refit as topic_refit

topics = click.Group("topics", help="Topics customers write about.")


@topics.command("refit")
@click.option("--topics", "n_topics", type=click.IntRange(*curation.LIMITS["topics"]),
              help="look for this many topics (kept in the settings for the next refits)")
@with_appcontext
def refit(n_topics: int | None) -> None:
    """Fit the topic model on recent tickets now and give them their topics (admins' names,
    merges, pins and hidden topics carry over)."""
    if n_topics is not None:
        curation.update_settings({"topics": n_topics})
    bars: dict[str, click.progressbar] = {}
    live = sys.stdout.isatty()

    def progress(stage: str, done: int, total: int) -> None:
        if not live:  # a log, not a terminal: one line per finished stage
            if done >= total:
                click.echo(f"{stage:<10} {done}/{total}")
            return
        bar = bars.get(stage)
        if bar is None:
            for other in bars.values():
                other.render_finish()
            bar = bars[stage] = click.progressbar(length=max(total, 1), label=f"{stage:<10}", show_pos=True)
        bar.update(done - bar.pos)

    result = topic_refit.refit(progress)
    for bar in bars.values():
        bar.render_finish()
    if result.model_id is None:
        click.echo("no tickets to learn from in the window; nothing changed")
        return
    click.echo(f"{result.documents} tickets, {result.topics} topics ({result.new} new, {result.kept} kept, "
               f"{result.retired} retired) in {result.seconds:.1f} s")


@topics.command("list")
@with_appcontext
def list_topics() -> None:
    """Print the topics: id, tickets, flags, name or label."""
    for topic in db.session.scalars(select(Topic).order_by(Topic.active.desc(), Topic.size.desc())):
        flags = ",".join(f for f, on in (("pinned", topic.pinned), ("hidden", topic.hidden),
                                          ("merged", topic.merged_into_id), ("retired", not topic.active)) if on)
        click.echo(f"{topic.id:>5} {topic.size:>7} {flags:<14} {topic.title}")
