"""The `helpdesk` console command."""

from __future__ import annotations

from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import User
from helpdesk.services import staff


def test_users_create_reads_the_password_from_stdin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "--email", "Eve@Example.com", "--name", "Eve", "--role", "agent",
                                 "--group", "Support", "--password-stdin"], input="a long enough secret\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "eve@example.com"))
    assert user.role == "agent" and [g.name for g in user.groups] == ["Support"]
    assert "a long enough secret" not in result.output
    assert staff.authenticate("eve@example.com", "a long enough secret").id == user.id


def test_users_create_rejects_bad_input_clearly(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "--email", "eve@example.com", "--name", "Eve", "--role", "agent",
                                 "--password-stdin"], input="short\n")
    assert result.exit_code != 0 and "password" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_tokens_create_prints_a_working_token(app, make_user):
    user = make_user()
    result = app.test_cli_runner().invoke(args=["tokens", "create", "--email", user.email])
    token = result.output.strip()
    assert result.exit_code == 0 and token.startswith("hd_")
    assert staff.user_for_token(token).id == user.id
