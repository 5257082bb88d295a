"""Commands that run the helpdesk's processes: everything in one (`run`), or web and workers apart.

The console, API and Socket.IO are served by gunicorn's threaded worker (`gthread`; WebSockets
through simple-websocket). Socket.IO keeps a visitor's session in the process that opened it, so a
process has one worker; several processes behind a proxy with sticky sessions scale it out.
"""

from __future__ import annotations

import gc
import signal
import threading

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from gunicorn.app.base import BaseApplication

WORKER_CLASSES = ("gthread", "gevent")


class _Gunicorn(BaseApplication):
    """gunicorn around the app this command already built (the worker forks from it)."""

    def __init__(self, app: Flask, options: dict, on_worker_start=None) -> None:
        self._app = app
        self._options = options
        self._on_worker_start = on_worker_start
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)
        if self._on_worker_start is not None:
            self.cfg.set("post_worker_init", self._on_worker_start)

    def load(self) -> Flask:
        return self._app


def _settings(app: Flask, host: str | None, port: int | None, bind: str | None, workers: int | None,
              threads: int | None, timeout: int | None, concurrency: int | None = None,
              worker_class: str | None = None) -> dict:
    config = app.config
    if not bind:
        bind = f"{host or '127.0.0.1'}:{port or 5000}" if (host or port) else config["HELPDESK_WEB_BIND"]
    return {
        "bind": [bind],
        "workers": workers or config["HELPDESK_WEB_WORKERS"],
        "threads": threads or config["HELPDESK_WEB_THREADS"],
        "worker_class": worker_class or config["HELPDESK_WEB_WORKER_CLASS"],
        "worker_connections": threads or config["HELPDESK_WEB_THREADS"],  # gevent's greenlets per worker
        # A request that takes longer is cut off; WebSockets are exempt (their threads keep the
        # worker's heartbeat going).
        "timeout": timeout or config["HELPDESK_WEB_TIMEOUT"],
        "graceful_timeout": config["HELPDESK_WEB_GRACEFUL_TIMEOUT"],
        "keepalive": 5,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": config["HELPDESK_LOG_LEVEL"].lower(),
        "proc_name": "helpdesk",
        # Each process has its own Socket.IO sessions: a restart per N requests would drop them.
        "max_requests": 0,
        # A control socket per user home would be shared by every helpdesk process of that user.
        "control_socket_disable": True,
        # Not gunicorn's: requests in the application at once (helpdesk.web.admission).
        "concurrency": config["HELPDESK_WEB_CONCURRENCY"] if concurrency is None else concurrency,
    }


def _start_embedded_work(app: Flask):
    """What the embedded default runs beside the web server: mail and Telegram listeners, and the job
    consumer. Started in the worker (threads do not survive gunicorn's fork)."""

    def start(worker) -> None:
        from helpdesk.extensions import db
        from helpdesk.jobs.queue import huey
        from helpdesk.listeners.mail import start_listeners

        with app.app_context():
            db.engine.dispose(close=False)  # connections opened before the fork belong to the parent
        stop = threading.Event()
        start_listeners(app, stop)
        # SQLite storage is polled: cap the idle back-off so a chat answer leaves within a tenth of a
        # second. Jobs mostly wait for the write lock: four threads kept 100 chatting visitors'
        # answers at p95 0.3 s where two let them queue for seconds (bench/README, chat widget).
        consumer = huey.create_consumer(workers=4, worker_type="thread", periodic=True, max_delay=0.1)
        # Huey's consumer installs its own stop signals for a run loop it does not have here; the
        # worker's handlers (gunicorn's graceful stop) stay in charge.
        keep = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT)}
        consumer.start()
        for signum, handler in keep.items():
            signal.signal(signum, handler)
        _stop_with_worker(worker, stop, consumer)
        _recover_outbox()

    return start


def _stop_with_worker(worker, stop: threading.Event, consumer) -> None:
    # Jobs interrupted here are re-run: the outbox sweeper finds messages left "sending".
    exit_hook = worker.cfg.worker_exit

    def stopping(server, w):
        stop.set()
        consumer.stop()
        exit_hook(server, w)

    worker.cfg.set("worker_exit", stopping)


def _serve(app: Flask, options: dict, *, embedded: bool) -> None:
    if options["worker_class"] not in WORKER_CLASSES:
        raise click.UsageError(f"worker class {options['worker_class']!r}: choose one of {', '.join(WORKER_CLASSES)}")
    if embedded and options["worker_class"] != "gthread":
        # SQLite's calls and its busy wait do not yield to other greenlets: one writer waiting for
        # the lock would stop the whole process, the lock holder included.
        raise click.UsageError("helpdesk run serves with gthread (SQLite and the jobs share its process)")
    if embedded and options["workers"] != 1:
        raise click.UsageError("helpdesk run has one worker (SQLite, jobs in-process); use helpdesk web to scale out")
    if options["workers"] > 1 and not app.config.get("HELPDESK_REDIS_URL"):
        raise click.UsageError("several workers need HELPDESK_REDIS_URL (Socket.IO events cross processes through it)")
    from helpdesk.extensions import db
    from helpdesk.web import admission

    admission.install(app, options.pop("concurrency"), app.config["HELPDESK_WEB_QUEUE_TIMEOUT"])
    with app.app_context():
        db.engine.dispose()  # no connection crosses the fork into the worker
    # Everything loaded at start-up lives for the whole process: keep the collector from walking it
    # again and again (a full collection otherwise lands on about one request in a hundred).
    gc.collect()
    gc.freeze()
    _Gunicorn(app, options, _start_embedded_work(app) if embedded else None).run()


def _server_options(function):
    for option in reversed([
        click.option("--host", default=None, help="Address to listen on (default 127.0.0.1, or HELPDESK_WEB_BIND)."),
        click.option("--port", default=None, type=int, help="Port (default 5000)."),
        click.option("--bind", default=None, help="gunicorn bind, e.g. 0.0.0.0:8000 or unix:/run/helpdesk.sock."),
        click.option("--threads", default=None, type=int, help="Threads per worker; each open WebSocket holds one."),
        click.option("--timeout", default=None, type=int, help="Seconds before a stuck request is cut off."),
        click.option("--worker-class", default=None, type=click.Choice(WORKER_CLASSES),
                     help="gthread (default) or gevent (helpdesk web only)."),
        click.option("--concurrency", default=None, type=int,
                     help="Requests running at once; more wait their turn (default 8, 0 = no limit)."),
    ]):
        function = option(function)
    return function


@click.command("run")
@_server_options
@with_appcontext
def run(host, port, bind, threads, timeout, worker_class, concurrency) -> None:
    """Web console, Socket.IO, jobs and channel listeners in one process (the embedded default)."""
    app = current_app._get_current_object()
    options = _settings(app, host, port, bind, 1, threads, timeout, concurrency, worker_class)
    click.echo(f"helpdesk console on http://{options['bind'][0]}")
    _serve(app, options, embedded=True)


@click.command("web")
@_server_options
@click.option("--workers", default=None, type=int, help="gunicorn workers (default 1; more need sticky sessions per worker).")
@with_appcontext
def web(host, port, bind, threads, timeout, worker_class, concurrency, workers) -> None:
    """Web console and Socket.IO only (scale-out: jobs run in `helpdesk worker`)."""
    app = current_app._get_current_object()
    _serve(app, _settings(app, host, port, bind, workers, threads, timeout, concurrency, worker_class), embedded=False)


@click.command("worker")
@click.option("--workers", default=8, type=int, show_default=True,
              help="Job threads; they mostly wait for the database, and chat answers queue behind too few.")
@with_appcontext
def worker(workers) -> None:
    """Run the job consumer (outbox delivery, sweeper)."""
    from helpdesk.jobs.queue import huey

    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=True, max_delay=1.0)
    _recover_outbox()
    consumer.run()


def _recover_outbox() -> None:
    """Look for replies a crash left behind at start-up rather than at the sweeper's next minute."""
    from helpdesk.jobs.queue import sweep_outbox

    sweep_outbox()
