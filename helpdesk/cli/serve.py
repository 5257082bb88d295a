"""Commands that run the helpdesk's processes: everything in one (`run`), or web and workers apart."""

from __future__ import annotations

import gc
import os
import signal
import threading

import click
from flask import Flask, current_app
from flask.cli import with_appcontext


def _serve(app: Flask, host: str, port: int, *, embedded: bool) -> None:
    from helpdesk.extensions import socketio

    # FlaskGroup marks the process as "run from the flask CLI", and Flask then ignores app.run()
    # (which Flask-SocketIO's threading server calls) to protect `flask run`; this command is the server.
    os.environ.pop("FLASK_RUN_FROM_CLI", None)

    if embedded:
        from helpdesk.jobs.queue import huey
        from helpdesk.listeners.mail import start_listeners

        stop = threading.Event()
        start_listeners(app, stop)
        # SQLite storage is polled: cap the idle back-off so a chat answer leaves within a tenth of a
        # second (an empty poll is one indexed read of jobs.sqlite3). Jobs mostly wait for the write
        # lock: four threads kept 100 chatting visitors' answers at p95 0.3 s where two let them queue
        # for seconds (bench/README, chat widget).
        consumer = huey.create_consumer(workers=4, worker_type="thread", periodic=True, max_delay=0.1)
        _recover_outbox()
        consumer.start()
        _exit_on_signals(consumer, stop)
    # Everything loaded at start-up lives for the whole process: keep the collector from walking it
    # again and again (a full collection otherwise lands on about one request in a hundred).
    gc.collect()
    gc.freeze()
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, use_reloader=False)


def _exit_on_signals(consumer, stop: threading.Event) -> None:
    # Huey's consumer takes SIGTERM and SIGINT for itself when it starts, expecting its own run()
    # loop to act on them; here the web server owns the main thread, so without this the process
    # would ignore Ctrl+C and a service manager's stop. Jobs interrupted here are re-run: the
    # outbox sweeper finds messages left "sending".
    def shut_down(signum, frame):
        stop.set()
        consumer.stop()
        raise SystemExit(0)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, shut_down)


@click.command("run")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@with_appcontext
def run(host, port) -> None:
    """Web console, Socket.IO, jobs and channel listeners in one process (the embedded default)."""
    click.echo(f"helpdesk console on http://{host}:{port}")
    _serve(current_app._get_current_object(), host, port, embedded=True)


@click.command("web")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@with_appcontext
def web(host, port) -> None:
    """Web console and Socket.IO only (scale-out: jobs run in `helpdesk worker`)."""
    _serve(current_app._get_current_object(), host, port, embedded=False)


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


