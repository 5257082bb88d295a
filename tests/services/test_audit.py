"""The audit log: settings changes captured whatever path makes them, sign-ins and failures,
secrets masked, append-only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import AuditEntry, PriorityRule
from helpdesk.services import audit


def entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_a_rule_changed_in_the_console_is_logged_with_who_where_before_and_after(client, groups, make_user, login):
    admin = make_user(role="admin")
    client.environ_base["REMOTE_ADDR"] = "198.51.100.4"
    login(admin)
    form = {"name": "VIP first", "tier": "vip", "set_priority": "high", "position": "1", "active": "1", "stop": "1"}
    client.post("/admin/rules", data=form)
    rule = db.session.scalar(select(PriorityRule))
    client.post(f"/admin/rules/{rule.id}", data={**form, "set_priority": "urgent"})
    client.post(f"/admin/rules/{rule.id}/delete")
    created, changed, deleted = entries("rule.create")[0], entries("rule.update")[0], entries("rule.delete")[0]
    assert (created.actor_id, created.ip, created.via, created.target_id) == (admin.id, "198.51.100.4", "web", rule.id)
    assert created.after["name"] == "VIP first" and created.before is None
    assert changed.before == {"set_priority": 2} and changed.after == {"set_priority": 3}
    assert deleted.before["name"] == "VIP first" and deleted.after is None


def test_channel_secrets_never_reach_the_log(app, groups):
    from helpdesk.models import ChannelAccount

    account = ChannelAccount(kind="telegram", name="bot", settings={}, secrets_sealed="sealed-bot-token")
    db.session.add(account)
    db.session.commit()
    account = db.session.get(ChannelAccount, account.id)  # loaded, as a view would
    account.secrets_sealed = "another-sealed-token"
    db.session.commit()
    logged = [e for e in db.session.scalars(select(AuditEntry).where(AuditEntry.target_type == "channel"))]
    assert [e.action for e in logged] == ["channel.create", "channel.update"]
    assert "-token" not in str([(e.before, e.after) for e in logged])
    assert logged[1].before == logged[1].after == {"secrets_sealed": "[hidden]"} and logged[0].via == "system"


def test_operational_columns_are_not_changes(app, groups):
    from helpdesk.models import ChannelAccount

    account = ChannelAccount(kind="telegram", name="bot", settings={})
    db.session.add(account)
    db.session.commit()
    account.cursor, account.last_error = "42", "timeout"
    db.session.commit()
    assert entries("channel.update") == []


def test_sign_ins_and_failures_are_logged_without_the_password(client, make_user, groups):
    user = make_user()
    client.post("/login", data={"email": user.email, "password": "a wrong password"},
                environ_base={"REMOTE_ADDR": "203.0.113.9"})
    client.post("/login", data={"email": "nobody@x.example", "password": "secret guess!"})
    client.post("/login", data={"email": user.email, "password": "correct horse battery"})
    failed = entries("auth.sign_in_failed")
    assert [(e.target_id, e.data["email"], e.ip) for e in failed][0] == (user.id, user.email, "203.0.113.9")
    assert failed[1].target_id is None and failed[1].data["email"] == "nobody@x.example"
    assert "wrong" not in str([e.data for e in failed]) and "guess" not in str([e.data for e in failed])
    assert entries("auth.sign_in")[0].actor_id == user.id


def test_the_log_is_append_only(app, groups):
    entry = audit.record(audit.SYSTEM, "test.thing", "test", 1)
    db.session.commit()
    entry.action = "rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, entry.id))
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
