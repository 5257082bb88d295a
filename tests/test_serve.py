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


def _cli(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def test_the_embedded_server_refuses_the_gevent_worker(app):
    # SQLite's busy wait does not yield to other greenlets: one waiting writer would stop the process.
    result = _cli(app, "run", "--worker-class", "gevent", "--port", str(free_port()))
    assert result.exit_code == 2 and "gthread" in result.output


def test_an_unknown_worker_class_from_the_settings_is_refused_before_serving(app):
    app.config["HELPDESK_WEB_WORKER_CLASS"] = "eventlet"
    result = _cli(app, "web", "--port", str(free_port()))
    assert result.exit_code == 2 and "gthread, gevent" in result.output


def test_server_settings_come_from_options_before_the_configuration(app):
    from helpdesk.cli.serve import _settings

    app.config.update(HELPDESK_WEB_THREADS=50, HELPDESK_WEB_CONCURRENCY=6, HELPDESK_WEB_WORKER_CLASS="gevent")
    settings = _settings(app, None, 8123, None, 1, None, None)
    assert (settings["threads"], settings["worker_connections"], settings["concurrency"], settings["worker_class"]) == (
        50, 50, 6, "gevent")
    assert settings["bind"] == ["127.0.0.1:8123"]
    chosen = _settings(app, None, None, "0.0.0.0:9000", 1, 20, None, concurrency=0, worker_class="gthread")
    assert (chosen["threads"], chosen["concurrency"], chosen["worker_class"], chosen["bind"]) == (
        20, 0, "gthread", ["0.0.0.0:9000"])


def test_a_sqlite_database_pool_has_room_for_a_request_and_its_quick_reads(app):
    from helpdesk.extensions import db

    with app.app_context():
        pool = db.engine.pool
        if db.engine.dialect.name == "sqlite":
            # Each thread may hold two connections (its session and a reader): 15 ran out under load.
            assert (pool.size(), pool._max_overflow) == (20, 200)
        else:
            assert pool.size() == 5  # PostgreSQL's connections are server processes: the default
