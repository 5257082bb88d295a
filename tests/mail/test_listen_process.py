"""`helpdesk listen --once` as its own process: it builds an app for listening alone (no pages, no
sockets, no help center, no Bot API library without a bot), and still stores mail and queues the acknowledgements."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import Message, Ticket
from tests.mail.conftest import make_mail

# (Flask-Limiter is loaded by Flask's CLI itself, for the `limiter` command it plugs in.)
SERVING = ("flask_socketio", "socketio", "flask_wtf", "flask_smorest", "flask_migrate", "helpdesk.web",
           "helpdesk.api", "helpdesk.webhooks", "helpdesk.realtime.agents", "knowledge_base.search",
           "telegram")  # no bot is configured
RUN = f"""
import json, sys
from helpdesk.cli import main
try:
    main(["listen", "--once"])
except SystemExit as exc:
    code = exc.code
print(json.dumps({{"code": code, "loaded": [m for m in {SERVING!r} if m in sys.modules]}}))
"""


def test_listen_once_runs_without_the_serving_parts_and_acknowledges(app, mailbox, dovecot, database_url, tmp_path):
    mailbox.acknowledge = True
    db.session.commit()
    for n in range(2):
        dovecot.deliver(mailbox.user, make_mail(sender=f"c{n}@customer.example", subject=f"Question {n}"))
    env = dict(os.environ, HELPDESK_DATABASE_URL=database_url, HELPDESK_SECRET_KEY=app.config["SECRET_KEY"],
               HELPDESK_ATTACHMENTS_DIR=app.config["HELPDESK_ATTACHMENTS_DIR"])
    env.pop("HELPDESK_REDIS_URL", None)
    done = subprocess.run([sys.executable, "-c", RUN], env=env, capture_output=True, text=True, timeout=120)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"code": 0, "loaded": []}, done.stderr[-2000:]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 2
    acks = db.session.scalars(select(Message).where(Message.kind == "outbound", Message.is_automated)).all()
    assert len(acks) == 2 and {a.delivery_state for a in acks} == {"queued"}  # for `helpdesk worker`
