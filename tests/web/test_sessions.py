"""Signed-in devices: each user sees their sessions and ends any; sessions expire after idle time
and an absolute time; an ended session's Socket.IO connections close."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from helpdesk.extensions import db, socketio
from helpdesk.models import UserSession
from helpdesk.models.base import utcnow

PASSWORD = "correct horse battery"


def browser(app, user, agent="Firefox on a laptop"):
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = agent
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def session_ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'id="session-(\d+)"', page)]


def test_you_see_your_devices_and_sign_one_out(app, make_user, groups):
    user = make_user()
    laptop, phone = browser(app, user), browser(app, user, "Safari on a phone")
    page = laptop.get("/account").get_data(as_text=True)
    assert "Safari on a phone" in page and "(this device)" in page and len(session_ids(page)) == 2
    phone_row = db.session.scalar(select(UserSession).where(UserSession.user_agent == "Safari on a phone"))
    assert laptop.post(f"/account/sessions/{phone_row.id}/end").status_code == 303
    assert phone.get("/tickets").status_code == 302  # signed out
    assert laptop.get("/tickets").status_code == 200
    assert session_ids(laptop.get("/account").get_data(as_text=True)) != [phone_row.id]


def test_sign_out_all_other_devices_and_others_sessions_are_not_yours(app, make_user, groups):
    user, other = make_user(), make_user()
    here, there, elsewhere = browser(app, user), browser(app, user), browser(app, user)
    foreigner = browser(app, other)
    foreign_row = db.session.scalar(select(UserSession).where(UserSession.user_id == other.id))
    assert here.post(f"/account/sessions/{foreign_row.id}/end").status_code == 404
    assert here.post("/account/sessions/end-others").status_code == 303
    assert [c.get("/tickets").status_code for c in (here, there, elsewhere, foreigner)] == [200, 302, 302, 200]


def test_a_session_expires_after_idle_time_and_after_its_maximum_age(app, make_user, groups):
    user = make_user()
    idle, old = browser(app, user), browser(app, user, "old")
    minutes, hours = app.config["HELPDESK_SESSION_IDLE_MINUTES"], app.config["HELPDESK_SESSION_MAX_HOURS"]
    now = utcnow()
    db.session.execute(update(UserSession).where(UserSession.user_agent != "old")
                       .values(last_seen_at=now - timedelta(minutes=minutes + 1)))
    db.session.execute(update(UserSession).where(UserSession.user_agent == "old")
                       .values(created_at=now - timedelta(hours=hours, minutes=1)))
    db.session.commit()
    assert idle.get("/tickets").status_code == 302 and old.get("/tickets").status_code == 302
    reasons = sorted(db.session.scalars(select(UserSession.end_reason)))
    assert reasons == ["expired", "idle"]


def test_ending_a_session_closes_its_live_connection(app, make_user, groups):
    user = make_user()
    laptop, phone = browser(app, user), browser(app, user, "phone")
    sio = socketio.test_client(app, namespace="/agent", flask_test_client=phone)
    assert sio.is_connected("/agent")
    row = db.session.scalar(select(UserSession).where(UserSession.user_agent == "phone"))
    laptop.post(f"/account/sessions/{row.id}/end")
    assert not sio.is_connected("/agent")
