"""Running the `helpdesk` command as a separate process, as an operator would."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

BIN = Path(sys.executable).parent


def run_cli(env: dict, *args: str, stdin: str | None = None) -> str:
    """Run `helpdesk ARGS…` to completion; its standard output, or AssertionError with its errors."""
    done = subprocess.run([str(BIN / "helpdesk"), *args], env=env, input=stdin, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@contextmanager
def cli_in_process(env: dict) -> Iterator[Callable[..., str]]:
    """invoke(ARGS…, stdin=None) -> standard output: the same `helpdesk` commands as run_cli, on the
    instance and database that `env` names, run in this process. Each `helpdesk` process pays ~2 s
    of CPU for its imports, so fixtures that set up data with several commands use this; starting
    the servers, and commands whose work must happen in the server's process, stay separate."""
    from helpdesk import config, create_app
    from helpdesk.extensions import db

    app = create_app(config.load(Path(env["HELPDESK_INSTANCE_DIR"]), env))
    runner = app.test_cli_runner()

    def invoke(*args: str, stdin: str | None = None) -> str:
        result = runner.invoke(args=list(args), input=stdin)
        assert result.exit_code == 0, f"helpdesk {' '.join(args)}: {result.output[-2000:]}"
        return result.stdout

    try:
        yield invoke
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def start_server(env: dict, *args: str, ready_path: str = "/login", timeout: float = 30) -> subprocess.Popen:
    """Start `helpdesk ARGS…` (run, web) and wait until it answers HTTP on its --port."""
    port = args[args.index("--port") + 1]
    # Its output goes to a file, not a pipe: nobody reads a pipe while the server runs, and once its
    # 64 KiB filled up, the next log line would block whichever server thread wrote it. The file is
    # in the instance folder (a test's temporary one) when there is one, so it goes with it.
    folder = env.get("HELPDESK_INSTANCE_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
    log = tempfile.NamedTemporaryFile(prefix=f"helpdesk-{args[0]}-", suffix=".log", dir=folder, delete=False)
    proc = subprocess.Popen([str(BIN / "helpdesk"), *args], env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    proc.log_path = Path(log.name)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            output = server_output(proc)
            proc.log_path.unlink(missing_ok=True)
            raise AssertionError(output[-3000:])
        try:
            requests.get(f"http://127.0.0.1:{port}{ready_path}", timeout=1)
            return proc
        # gunicorn listens before its worker has loaded: until then a request may wait in the backlog.
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    stop(proc)
    raise AssertionError(f"helpdesk {' '.join(args)} did not answer within {timeout} s")


def server_output(proc: subprocess.Popen) -> str:
    """What a server started by start_server has printed so far ("" once its log is gone)."""
    try:
        return proc.log_path.read_text(errors="replace")
    except OSError:
        return ""


def stop(proc: subprocess.Popen) -> None:
    """Terminate a server process, killing it if it does not stop in time; start_server's log
    file goes too."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if log_path := getattr(proc, "log_path", None):
        log_path.unlink(missing_ok=True)
