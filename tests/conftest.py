"""Shared fixtures: a fresh database per test on SQLite, and on PostgreSQL when configured."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

# The job queue and instance folder are chosen at import time: point them at a scratch folder first.
_SCRATCH = Path(tempfile.mkdtemp(prefix="helpdesk-tests-"))
atexit.register(shutil.rmtree, _SCRATCH, ignore_errors=True)
os.environ["HELPDESK_INSTANCE_DIR"] = str(_SCRATCH / "instance")
os.environ.pop("HELPDESK_REDIS_URL", None)
os.environ.pop("HELPDESK_DATABASE_URL", None)

from sqlalchemy import create_engine, text  # noqa: E402

from tests.support import services_required  # noqa: E402

PG_URL = os.environ.get("HELPDESK_TEST_DATABASE_URL")


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    from helpdesk import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade()
        from helpdesk.extensions import db

        db.engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _pure_work_done_once():
    """See tests/speedups.py: the same results, computed once per session instead of per test."""
    from tests import speedups

    with pytest.MonkeyPatch.context() as patch:
        speedups.remember_password_hashes(patch)
        speedups.share_url_builders(patch)
        speedups.share_parsed_rules(patch)
        speedups.share_template_code(patch)
        speedups.spare_the_collector_what_lives_all_session()
        yield


@pytest.fixture(scope="session")
def sqlite_template() -> Path:
    """A migrated SQLite database, copied for each test (faster than migrating each time)."""
    path = _SCRATCH / "template.sqlite3"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_schema_url():
    """A migrated, private schema in the PostgreSQL test database, dropped at the end."""
    if not PG_URL:
        services_required("PostgreSQL", "HELPDESK_TEST_DATABASE_URL is not set")
    schema = f"hd_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no server"
        services_required("PostgreSQL", f"cannot reach {PG_URL}: {exc.__class__.__name__}")
    sep = "&" if "?" in PG_URL else "?"
    # Commits need not wait for the WAL to reach the disk: a crash of the test server loses nothing
    # a test needs, and most tests commit a dozen times.
    options = f"-csearch_path%3D{schema}%20-csynchronous_commit%3Doff"
    url = f"{PG_URL}{sep}options={options}".replace("postgresql://", "postgresql+psycopg://", 1)
    _migrate(url)
    yield url
    emptier = _EMPTIERS.pop(url, None)
    if emptier is not None:
        emptier.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


_EMPTYING: dict[str, str] = {}
_EMPTIERS: dict[str, object] = {}  # url -> an engine kept for the session: a new connection per test cost ~20 ms


def _emptying_sql(engine) -> str:
    """DELETE from every table of the schema, children before parents, then restart the sequences
    that were used: on tables of a few rows this is ~20 times faster than TRUNCATE, which makes
    new files for each of ~45 tables and waits for them to reach the disk."""
    from sqlalchemy import MetaData

    tables = MetaData()
    tables.reflect(engine)  # every table the migrations made, not only the models imported so far
    deletes = [f'DELETE FROM "{t.name}"' for t in reversed(tables.sorted_tables) if t.name != "alembic_version"]
    restarts = ("SELECT setval(quote_ident(schemaname) || '.' || quote_ident(sequencename), start_value, false) "
                "FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL")
    return ";\n".join([*deletes, restarts])


def _truncate_all(url: str) -> None:
    """Empty every table of the schema at `url` and restart its id sequences, as TRUNCATE ...
    RESTART IDENTITY would."""
    engine = _EMPTIERS.get(url)
    if engine is None:
        engine = _EMPTIERS[url] = create_engine(url, pool_size=1)
        _EMPTYING[url] = _emptying_sql(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql(_EMPTYING[url])


BACKENDS = ["sqlite", "postgresql"] if (PG_URL or os.environ.get("CI") == "true") else ["sqlite"]


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> str:
    """A clean, migrated database for one test."""
    if request.param == "sqlite":
        path = tmp_path / "helpdesk.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_schema_url")
    _truncate_all(url)
    return url


@pytest.fixture
def app_config(database_url, tmp_path) -> dict:
    """Configuration of the app under test; tests may adjust it before `app` is built."""
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "HELPDESK_JOBS_IMMEDIATE": True,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "HELPDESK_ATTACHMENTS_DIR": str(tmp_path / "attachments"),
        "HELPDESK_SMTP": None,
        "SERVER_NAME": "localhost",
    }


@pytest.fixture
def app(app_config):
    from helpdesk import create_app
    from helpdesk.extensions import db

    application = create_app(app_config)

    @application.before_request
    def _forget_previous_requester():
        # The test keeps one app context open across requests, so `g` (where Flask-Login caches
        # the user) would leak from one request or client to the next; a server never shares it.
        from flask import g

        g.pop("_login_user", None)

    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()
    _forget_socket_clients(application)


def _forget_socket_clients(app) -> None:
    """Flask-SocketIO's test clients enter a class-wide registry that nothing empties: each kept
    its app (~11,000 objects) alive to the end of the run, for every full garbage collection to
    walk again. A finished test's clients are never used again."""
    from flask_socketio.test_client import SocketIOTestClient

    for eio_sid, client in list(SocketIOTestClient.clients.items()):
        if client.app is app:
            del SocketIOTestClient.clients[eio_sid]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(app):
    """make_user(role="agent", groups=("Support",)) -> User, with password 'correct horse battery'."""
    from helpdesk.services import staff

    def make(role: str = "agent", groups=("Support",), email: str | None = None, name: str | None = None):
        email = email or f"{role}-{uuid.uuid4().hex[:6]}@staff.example"
        return staff.create_user(email=email, name=name or email.split("@")[0].title(), role=role,
                                 password="correct horse battery", groups=list(groups))

    return make


@pytest.fixture
def groups(app):
    """The Support (the default group) and Billing groups."""
    from helpdesk.extensions import db
    from helpdesk.services import staff

    found = [staff.get_or_create_group(name) for name in ("Support", "Billing")]
    db.session.commit()
    return found


@pytest.fixture
def login(client):
    """login(user): sign `user` in on the test client through the real login form."""

    def do(user, password: str = "correct horse battery"):
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return do


@pytest.fixture
def token_for(app):
    from helpdesk.services import staff

    return lambda user: staff.create_token(user, "test")


@pytest.fixture
def inbound(app):
    """inbound(email=..., body=..., **fields) -> IngestResult through the real ingest service."""
    from channels.base import InboundMessage, Sender
    from helpdesk.services.ingest import ingest

    def send(email: str = "customer@example.com", body: str = "Hello, I need help", name: str | None = None,
             channel: str = "web", source: str = "web", external_id: str | None = None, kind: str = "email", **fields):
        message = InboundMessage(channel=channel, source=source, external_id=external_id or uuid.uuid4().hex,
                                 sender=Sender(kind=kind, address=email, name=name), body_text=body, **fields)
        return ingest(message)

    return send


class RecordingSmtpHandler:
    """An aiosmtpd handler that keeps every accepted message and can be told to refuse."""

    def __init__(self) -> None:
        self.messages: list = []
        self.refuse_with: str | None = None  # e.g. "451 4.3.0 try again later"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_with:
            return self.refuse_with
        self.messages.append(envelope)
        return "250 2.0.0 OK"


@pytest.fixture
def smtp_server(app):
    """A real SMTP server (aiosmtpd) on 127.0.0.1, wired into the app's outgoing mail settings."""
    from aiosmtpd.controller import Controller

    from channels.email.smtp import SmtpSettings
    from tests.support import free_port

    handler = RecordingSmtpHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config["HELPDESK_SMTP"] = SmtpSettings(host="127.0.0.1", port=controller.port,
                                               from_address="support@helpdesk.example", timeout=5)
    yield handler
    controller.stop()


@pytest.fixture(scope="session")
def dovecot():
    """A real Dovecot IMAP server for the whole test session (users are added per test)."""
    import shutil as _shutil

    from tests.mail_server import DOVECOT, Dovecot

    if not _shutil.which("dovecot") and not Path(DOVECOT).exists():
        services_required("Dovecot", "dovecot is not installed (apt-get install dovecot-imapd)")
    server = Dovecot().start()
    yield server
    server.stop()


# Test workers take whole files (`--dist loadfile`) in collection order. These folders' files run
# longest (a browser, nginx, several servers each), so they are handed out first and the short
# files fill in at the end: the last minute of a run was one worker finishing browser files while
# the other sat idle.
_LONG_FIRST = ("tests/browser/", "tests/deploy/", "tests/scaleout/")


def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        path = str(item.fspath)
        return next((n for n, folder in enumerate(_LONG_FIRST) if folder in path), len(_LONG_FIRST))

    items.sort(key=rank)  # stable: each file's tests keep their order


_tests_finished = 0


def pytest_runtest_logfinish(nodeid, location):
    # Modules that tests import on first use, and the caches of tests/speedups.py, are alive from
    # then on too: frozen again after the 1st, 2nd, 4th, 8th... test, ~11 times in a worker's run.
    global _tests_finished
    _tests_finished += 1
    if _tests_finished & (_tests_finished - 1) == 0:
        from tests import speedups

        speedups.spare_the_collector_what_lives_all_session()


def pytest_configure(config):
    # Playwright's `expect` waits 5 s by default. On two cores shared by two test workers, each with
    # its server, job consumer and Chromium, a live update now and then takes longer than that; what
    # the browser tests wait for is unchanged, they only wait as long as their pages do (10 s).
    try:
        from playwright.sync_api import expect
    except ImportError:
        return
    expect.set_options(timeout=10_000)
