"""`helpdesk run` as a service manager or a terminal sees it: it starts, serves, and stops on request."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess

import pytest

from tests.support import free_port
from tests.web_server import start_server


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_embedded_server_stops_at_once_on_a_stop_signal(tmp_path, signum, sqlite_template):
    env = dict(os.environ, HELPDESK_INSTANCE_DIR=str(tmp_path / "instance"),
               HELPDESK_DATABASE_URL=f"sqlite:///{tmp_path / 'helpdesk.sqlite3'}", HELPDESK_SECRET_KEY="serve-tests")
    env.pop("HELPDESK_REDIS_URL", None)
    shutil.copy(sqlite_template, tmp_path / "helpdesk.sqlite3")  # migrated, as `helpdesk db upgrade` leaves it
    server = start_server(env, "run", "--port", str(free_port()))
    server.send_signal(signum)
    try:
        # The job consumer takes these signals for itself when it starts; the server must still end.
        assert server.wait(5) == 0
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
        pytest.fail(f"helpdesk run ignored {signal.Signals(signum).name}")
