"""`helpdesk topics refit` and `helpdesk topics list`."""

from __future__ import annotations

from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import TicketTopic


def test_refit_with_nothing_to_read_says_so(app):
    result = app.test_cli_runner().invoke(args=["topics", "refit"])
    assert result.exit_code == 0, result.output
    assert "nothing changed" in result.output


def test_refit_shows_progress_and_assigns_every_ticket(app, corpus):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["topics", "refit", "--topics", "1"]).exit_code == 2  # below the minimum
    result = runner.invoke(args=["topics", "refit", "--topics", "9"])
    assert result.exit_code == 0, result.output
    assert "assigning" in result.output and f"{len(corpus)}/{len(corpus)}" in result.output
    assert f"{len(corpus)} tickets, 9 topics (9 new, 0 kept, 0 retired)" in result.output
    assert db.session.scalar(select(func.count()).select_from(TicketTopic)) == len(corpus)
    listed = runner.invoke(args=["topics", "list"])
    assert listed.exit_code == 0 and len(listed.output.splitlines()) == 9 and "密码" in listed.output
