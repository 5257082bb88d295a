"""helpdesk: an omnichannel contact-center helpdesk. `create_app` wires every part together.

Map of the tree (imports flow down this list: web, api, webhooks, realtime, cli and jobs call
services; services use models, `channels/` and `sla/`; nothing imports upwards):

- `helpdesk/web/`, `helpdesk/api/`, `helpdesk/webhooks/`: the console's pages, the REST API, the
  providers' webhooks. Thin: parse, authorise, call a service, render. May import services, models.
- `helpdesk/realtime/`: the agents' Socket.IO namespace, who is online, allowed origins.
  `helpdesk/webchat/`: the chat widget's namespace and its delivery adapter. May import services.
- `helpdesk/cli/`: the `helpdesk` command. May import services, jobs, listeners.
- `helpdesk/jobs/`: the Huey instance (`queue`) and every queued or periodic task, one module per
  domain. Tasks open an app context and call one service.
- `helpdesk/listeners/`: long-running readers (mailboxes, Telegram polling) and the leases that keep
  one reader per source. May import services.
- `helpdesk/services/`: the business logic, plain functions. At top level what every channel
  shares (ingest, replies, tickets, customers, rules, events, transactions, attachments, ...); one
  folder per domain: `sla/`, `surveys/`, `reports/`, `mail/`, `telegram/`, `meta/`, `webchat/`.
  May import models, `channels/`, `sla/`, never web, realtime or jobs.
- `helpdesk/models/`: tables and trivial derived properties; imports no service.
- `helpdesk/config.py`, `extensions.py`, `security.py`, `demo.py`: settings, unbound extensions,
  response headers, demo data. `helpdesk/migrations/`: Alembic.
- `channels/` (adapters, parse and send), `sla/` (pure time math): import nothing of the app.
  `knowledge_base/`: articles, search, help center; uses the app's database and auth.

tests/test_layout.py holds the tree to this shape.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g, request
from sqlalchemy import event

from helpdesk import config


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINTs; SQLAlchemy emits BEGIN instead (below).
    dbapi_connection.isolation_level = None
    # WAL lets readers run beside the one writer; the busy timeout queues writers instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection) -> None:
    # Writers announced by services.transactions.begin_write take the write lock up front, so they
    # queue on the busy timeout instead of failing when a concurrent writer commits first.
    from helpdesk.services.transactions import begins_as_writer

    connection.exec_driver_sql("BEGIN IMMEDIATE" if begins_as_writer(connection) else "BEGIN")


def _changes_start_as_writers() -> None:
    if request.method not in ("GET", "HEAD", "OPTIONS"):  # it may change something
        from helpdesk.services.transactions import writes_in_this_request

        writes_in_this_request()


def _writers_let_go(_exc) -> None:
    # A transaction left open after the view (a read after its commit) would keep holding the
    # write lock where the request's session outlives it (an app context shared with the caller).
    if g.get("sqlite_write"):
        from helpdesk.extensions import db

        db.session.rollback()


def _register_channels(app: Flask) -> None:
    import channels
    from channels.web.form import WebChannel

    # A ticket opened by phone or in person (through the API or the console) is answered by e-mail,
    # like a web-form one.
    for name in ("web", "api", "email", "phone", "in_person"):
        channels.register(name, lambda settings: WebChannel(settings.get("smtp")))

    from channels.telegram.channel import telegram_channel

    channels.register("telegram", telegram_channel)

    from channels.whatsapp.adapter import WhatsAppChannel

    channels.register("whatsapp", WhatsAppChannel.from_settings)

    from channels.messenger.adapter import MessengerChannel

    channels.register("messenger", MessengerChannel.from_settings)

    from helpdesk.webchat.delivery import adapter as webchat_adapter

    channels.register("webchat", webchat_adapter)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, channels, blueprints, sockets, jobs."""
    instance = config.instance_path()
    app = Flask(__name__, instance_path=str(instance), instance_relative_config=False)
    app.config.update(config.load(instance))
    app.config.update(
        API_TITLE="helpdesk", API_VERSION="v1", OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/api/v1", OPENAPI_JSON_PATH="openapi.json",
        WTF_CSRF_TIME_LIMIT=None,
    )
    if test_config:
        app.config.update(test_config)
    Path(app.config["HELPDESK_ATTACHMENTS_DIR"]).mkdir(parents=True, exist_ok=True)

    from helpdesk.extensions import csrf, db, limiter, migrate, socketio

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            if not event.contains(db.engine, "connect", _sqlite_pragmas):
                event.listen(db.engine, "connect", _sqlite_pragmas)
                event.listen(db.engine, "begin", _sqlite_begin)
            app.before_request(_changes_start_as_writers)  # first: before any hook reads
            app.teardown_request(_writers_let_go)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    csrf.init_app(app)
    redis_url = app.config.get("HELPDESK_REDIS_URL")
    app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url or "memory://")
    limiter.init_app(app)
    # The console's origins and the chat widgets' (each namespace narrows it at connect); never an
    # empty list, which would switch the Origin check off and let any site open a socket.
    from helpdesk.realtime import origins as socket_origins

    socketio.init_app(app, message_queue=redis_url, channel=config.socketio_channel(redis_url), async_mode="threading",
                      cors_allowed_origins=socket_origins.server_check(app))

    _register_channels(app)

    import knowledge_base
    from helpdesk import api, cli, security, web, webchat, webhooks
    from helpdesk.jobs import accounts as account_jobs
    from helpdesk.jobs import delivery_status as status_jobs
    from helpdesk.jobs import mail as mail_jobs
    from helpdesk.jobs import notifications as notification_jobs
    from helpdesk.jobs import queue as jobs
    from helpdesk.jobs import reports as report_jobs
    from helpdesk.jobs import sla as sla_jobs
    from helpdesk.jobs import surveys as survey_jobs
    from helpdesk.realtime import agents as realtime
    from helpdesk.web import operations

    if app.config.get("HELPDESK_LOG_FORMAT"):
        from helpdesk.services.operations import logs

        logs.configure(app.config["HELPDESK_LOG_FORMAT"], app.config["HELPDESK_LOG_LEVEL"])
    operations.init_app(app)
    security.init_app(app)
    web.init_app(app)
    api.init_app(app)
    webhooks.init_app(app)
    knowledge_base.init_app(app)
    sla_jobs.init_app(app)  # before realtime: clocks are stored before live views re-render
    realtime.init_app(app)
    webchat.init_app(app)
    jobs.init_app(app)
    account_jobs.init_app(app)
    status_jobs.init_app(app)
    mail_jobs.init_app(app)
    survey_jobs.init_app(app)  # after sla_jobs: a solve's SLA outcome is stored before its survey copies it
    report_jobs.init_app(app)  # after sla_jobs: a change's SLA outcomes are stored before its report facts
    notification_jobs.init_app(app)  # after realtime: a ticket's own events reach consoles first
    jobs.accept_former_task_names()
    cli.init_app(app)
    return app
