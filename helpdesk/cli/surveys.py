"""`helpdesk surveys send-due`: send (or skip) the surveys whose delay has passed, now."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from helpdesk.jobs import surveys as survey_jobs

surveys = click.Group("surveys", help="Satisfaction surveys.")


@surveys.command("send-due")
@with_appcontext
def send_due() -> None:
    """Do at once what the minutely job does: send or skip every due survey, expire old ones."""
    done = survey_jobs.send_due_surveys()
    sent = sum(state == "sent" for state in done.values())
    click.echo(f"{sent} sent, {len(done) - sent} skipped")
