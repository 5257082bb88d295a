"""`helpdesk users list|disable|enable|update|set-password` and `helpdesk tokens list|revoke`."""

from __future__ import annotations

import json

from helpdesk.extensions import db
from helpdesk.models import AuditEntry, User
from helpdesk.services import staff


def run(app, *args, stdin=None):
    return app.test_cli_runner().invoke(args=list(args), input=stdin)


def test_users_list_as_json_and_as_a_table(app, make_user, groups):
    agent = make_user(name="Ana")
    rows = json.loads(run(app, "users", "list", "--json").output)
    assert [(r["email"], r["role"], r["groups"], r["active"], r["two_factor"]) for r in rows] == [
        (agent.email, "agent", ["Support"], True, False)]
    assert "password" not in json.dumps(rows)
    assert agent.email in run(app, "users", "list").output


def test_disable_and_enable(app, make_user, token_for, groups):
    agent = make_user()
    token = token_for(agent)
    result = run(app, "users", "disable", "--email", agent.email.upper())
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert not db.session.get(User, agent.id).active and staff.user_for_token(token) is None
    assert staff.authenticate(agent.email, "correct horse battery") is None
    assert run(app, "users", "enable", "--email", agent.email).exit_code == 0
    db.session.expire_all()
    assert staff.authenticate(agent.email, "correct horse battery").id == agent.id
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "user.disable"))
    assert entry.via == "cli" and entry.before == {"active": True} and entry.after == {"active": False}


def test_update_role_and_groups(app, make_user, groups):
    agent = make_user()
    result = run(app, "users", "update", "--email", agent.email, "--role", "supervisor", "--group", "Billing",
                 "--group", "Support")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    user = db.session.get(User, agent.id)
    assert user.role == "supervisor" and sorted(g.name for g in user.groups) == ["Billing", "Support"]


def test_update_refuses_unknown_groups_users_and_empty_changes(app, make_user, groups):
    agent = make_user()
    assert "no group named" in run(app, "users", "update", "--email", agent.email, "--group", "Nope").output
    assert "no user" in run(app, "users", "update", "--email", "ghost@x.example", "--role", "agent").output
    assert run(app, "users", "update", "--email", agent.email).exit_code != 0


def test_set_password_reads_stdin_and_checks_the_rules(app, make_user, groups):
    agent = make_user()
    weak = run(app, "users", "set-password", "--email", agent.email, "--password-stdin", stdin="Password1234\n")
    assert weak.exit_code != 0 and "common" in weak.output
    done = run(app, "users", "set-password", "--email", agent.email, "--password-stdin", stdin="a fresh long secret\n")
    assert done.exit_code == 0 and "a fresh long secret" not in done.output
    assert staff.authenticate(agent.email, "a fresh long secret") is not None
    assert staff.authenticate(agent.email, "correct horse battery") is None


def test_tokens_list_and_revoke(app, make_user, token_for, groups):
    agent = make_user()
    token = token_for(agent)
    staff.user_for_token(token, "192.0.2.7")
    rows = json.loads(run(app, "tokens", "list", "--email", agent.email, "--json").output)
    assert len(rows) == 1 and rows[0]["active"] and rows[0]["last_used_ip"] == "192.0.2.7"
    assert token not in json.dumps(rows)
    assert run(app, "tokens", "revoke", str(rows[0]["id"])).exit_code == 0
    assert staff.user_for_token(token) is None
    rows = json.loads(run(app, "tokens", "list", "--email", agent.email, "--json").output)
    assert rows[0]["active"] is False and rows[0]["revoked_at"]
    assert run(app, "tokens", "revoke", "99999").exit_code != 0
