"""helpdesk: an omnichannel contact-center helpdesk. `create_app` wires every part together.

Map of the tree (imports flow down this list: web, api, webhooks, realtime, cli and jobs call
services; services use models, `channels/` and `sla/`; nothing imports upwards):

- `helpdesk/web/`, `helpdesk/api/`, `helpdesk/webhooks/`: the console's pages, the REST API, the
  providers' webhooks (`helpdesk/web/portal/`: the customer portal's pages). Thin: parse, authorise,
  call a service, render. May import services, models.
- `helpdesk/realtime/`: the agents' Socket.IO namespace, who is online, allowed origins.
  `helpdesk/webchat/`: the chat widget's namespace and its delivery adapter. May import services.
- `helpdesk/cli/`: the `helpdesk` command. May import services, jobs, listeners.
- `helpdesk/jobs/`: the Huey instance (`queue`) and every queued or periodic task, one module per
  domain. Tasks open an app context and call one service.
- `helpdesk/listeners/`: long-running readers (mailboxes, Telegram polling) and the leases that keep
  one reader per source. May import services.
- `helpdesk/services/`: the business logic, plain functions. At top level what every channel
  shares (ingest, replies, tickets, customers, rules, events, transactions, attachments, ...); one
  folder per domain: `sla/`, `surveys/`, `reports/`, `mail/`, `telegram/`, `meta/`, `webchat/`, `portal/`,
  `automation/` (triggers, time-based automations, outbound webhooks), `fields/` (custom fields),
  `topics/` (topic discovery: words, model, refit, assignment at ingest, curation).
  May import models, `channels/`, `sla/`, never web, realtime or jobs.
- `helpdesk/models/`: tables and trivial derived properties; imports no service.
- `helpdesk/config.py`, `extensions.py`, `security.py`, `demo.py`: settings, unbound extensions,
  response headers, demo data. `helpdesk/migrations/`: Alembic. `helpdesk/i18n/`: the one
  Flask-Babel set-up (catalogues, the reader's language and time zone, date and number formats),
  usable from every layer; its catalogues live in `helpdesk/translations/`.
- `channels/` (adapters, parse and send), `sla/` (pure time math): import nothing of the app.
  `knowledge_base/`: articles, search, help center; uses the app's database and auth.

tests/test_layout.py holds the tree to this shape.
"""

from __future__ import annotations

import os as _os
import sys as _sys

# gevent's worker must patch the standard library before anything imports it (psycopg picks its
# wait function, SQLAlchemy and Redis their locks, at import): `helpdesk web` with the gevent
# worker class patches here, first thing. No other command is patched.
if _os.environ.get("HELPDESK_WEB_WORKER_CLASS") == "gevent" and _sys.argv[1:2] == ["web"]:  # pragma: no cover
    from gevent import monkey as _monkey

    _monkey.patch_all()

from pathlib import Path  # noqa: E402

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
    # A statement that fires a trigger (the search index's queue) keeps a statement journal; past
    # 64 KiB (an INSERT INTO tickets touches its 16 indexes' pages) SQLite spills it to a temporary
    # file, opened and written for every such statement: 0.2 ms of each new ticket's insert. In
    # memory, that journal costs nothing (temporary tables and sorts stay in memory too).
    cursor.execute("PRAGMA temp_store=MEMORY")
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


def _adapter(module: str, name: str):
    """A channel factory that imports its adapter on first use: a process that never sends on a
    channel never loads its library (python-telegram-bot alone is a tenth of a second)."""

    def build(settings):
        from importlib import import_module

        factory = import_module(module)
        for part in name.split("."):
            factory = getattr(factory, part)
        return factory(settings)

    return build


def _register_channels(app: Flask) -> None:
    import channels
    from channels.web.form import WebChannel

    # A ticket opened by phone or in person (through the API or the console) is answered by e-mail,
    # like a web-form one.
    for name in ("web", "api", "email", "phone", "in_person"):
        channels.register(name, lambda settings: WebChannel(settings.get("smtp")))
    channels.register("telegram", _adapter("channels.telegram.channel", "telegram_channel"))
    channels.register("whatsapp", _adapter("channels.whatsapp.adapter", "WhatsAppChannel.from_settings"))
    channels.register("messenger", _adapter("channels.messenger.adapter", "MessengerChannel.from_settings"))
    channels.register("webchat", _adapter("helpdesk.webchat.delivery", "adapter"))


def _size_sqlite_pool(app: Flask) -> None:
    # A request may hold its session's connection and want a second one for a quick read
    # (transactions.reading_connection): with SQLAlchemy's default 5 + 10 connections, 40 chatting
    # visitors and 40 API clients on `helpdesk run` left threads each holding one and waiting for
    # another until the 30 s pool time-out (bench/README, scaling). Socket events now take
    # admission slots as requests do (web.admission), which bounds that, but where admission is
    # off nothing does. A SQLite connection is a file handle: allow many. PostgreSQL keeps the
    # default, its connections being server processes.
    uri = app.config.get("SQLALCHEMY_DATABASE_URI", "")
    if uri.startswith("sqlite:///") and ":memory:" not in uri:
        options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
        options.setdefault("pool_size", 20)
        options.setdefault("max_overflow", 200)


def create_app(test_config: dict | None = None, *, serve: bool = True) -> Flask:
    """Build the application: configuration, extensions, channels, blueprints, sockets, jobs.

    `serve=False` builds it for a process that serves no pages and no sockets (`helpdesk listen`):
    the database, the channels and every job and event subscriber, but no blueprints, no CSRF or
    rate limits, and no Socket.IO server; the live views are told through the message queue when
    there is one (Redis), else nobody could hear them. Importing those parts was most of the
    listener's start-up and memory (bench/README.md, e-mail). A subscriber that must run for
    mail or bot updates belongs in jobs/ or services/, which both kinds of app wire."""
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

    from helpdesk import extensions
    from helpdesk.extensions import db

    _size_sqlite_pool(app)
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            if not event.contains(db.engine, "connect", _sqlite_pragmas):
                event.listen(db.engine, "connect", _sqlite_pragmas)
                event.listen(db.engine, "begin", _sqlite_begin)
            app.before_request(_changes_start_as_writers)  # first: before any hook reads
            app.teardown_request(_writers_let_go)
    redis_url = app.config.get("HELPDESK_REDIS_URL")
    live = serve or bool(redis_url)  # whether anyone can hear this process's live events
    if serve:
        extensions.migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
        extensions.csrf.init_app(app)
        app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url or "memory://")
        extensions.limiter.init_app(app)
    if live:
        # The console's origins and the chat widgets' (each namespace narrows it at connect); never an
        # empty list, which would switch the Origin check off and let any site open a socket.
        from helpdesk.realtime import origins as socket_origins

        # The extension is one object per process and init_app keeps the Redis manager a previous
        # app made: a later app without Redis (a test after a scale-out one) would publish through it.
        extensions.socketio.server_options.pop("client_manager", None)
        extensions.socketio.init_app(app, message_queue=redis_url, channel=config.socketio_channel(redis_url),
                                     async_mode="threading", cors_allowed_origins=socket_origins.server_check(app))

    _register_channels(app)
    from helpdesk import i18n

    i18n.init_app(app)  # every kind of app: jobs write e-mails in their reader's language too

    from helpdesk import cli
    from helpdesk.jobs import accounts as account_jobs
    from helpdesk.jobs import automation as automation_jobs
    from helpdesk.jobs import delivery_status as status_jobs
    from helpdesk.jobs import mail as mail_jobs
    from helpdesk.jobs import notifications as notification_jobs
    from helpdesk.jobs import portal as portal_jobs
    from helpdesk.jobs import privacy as privacy_jobs
    from helpdesk.jobs import queue as jobs
    from helpdesk.jobs import reports as report_jobs
    from helpdesk.jobs import routing as routing_jobs
    from helpdesk.jobs import search as search_jobs
    from helpdesk.jobs import sla as sla_jobs
    from helpdesk.jobs import surveys as survey_jobs
    from helpdesk.jobs import topics as topic_jobs

    if app.config.get("HELPDESK_LOG_FORMAT"):
        from helpdesk.services.operations import logs

        logs.configure(app.config["HELPDESK_LOG_FORMAT"], app.config["HELPDESK_LOG_LEVEL"])
    if serve:
        import knowledge_base
        from helpdesk import api, security, web, webhooks
        from helpdesk.web import operations

        operations.init_app(app)
        security.init_app(app)
        web.init_app(app)
        api.init_app(app)
        webhooks.init_app(app)
        knowledge_base.init_app(app)
    else:  # no endpoint of its own; with PROMETHEUS_MULTIPROC_DIR shared, the web processes sum it in
        from helpdesk.services import events
        from helpdesk.services.operations import metrics

        events.ticket_created.connect(metrics.count_ticket, weak=False)
    sla_jobs.init_app(app)  # before realtime: clocks are stored before live views re-render
    search_jobs.init_app(app)  # changed tickets are indexed by a job, and before every search
    if live:
        from helpdesk import webchat
        from helpdesk.realtime import agents as realtime
        from helpdesk.realtime import calls as realtime_calls

        realtime.init_app(app)
        realtime_calls.init_app(app)
        webchat.init_app(app)
    jobs.init_app(app)
    account_jobs.init_app(app)
    status_jobs.init_app(app)
    mail_jobs.init_app(app)
    portal_jobs.init_app(app)
    survey_jobs.init_app(app)  # after sla_jobs: a solve's SLA outcome is stored before its survey copies it
    privacy_jobs.init_app(app)
    report_jobs.init_app(app)  # after sla_jobs: a change's SLA outcomes are stored before its report facts
    topic_jobs.init_app(app)
    notification_jobs.init_app(app)  # after realtime: a ticket's own events reach consoles first
    automation_jobs.init_app(app)  # triggers act on what every other subscriber has seen
    routing_jobs.init_app(app)  # last: a ticket is routed after everything else saw it arrive
    jobs.accept_former_task_names()
    if serve:
        cli.init_app(app)  # a listening app runs one command, which the `helpdesk` group holds itself
        operations.trust_proxies(app)  # last: around Socket.IO's middleware too
    return app
