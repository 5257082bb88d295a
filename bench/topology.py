"""The serving topologies the load benchmarks run against, as real processes on loopback.

- embedded: one `helpdesk run` (SQLite; web, Socket.IO, jobs and listeners in one process);
- scaled: `--web N` `helpdesk web` processes behind Debian's nginx with deploy/nginx.conf (the
  copy tests/deploy makes, its upstream list rewritten to N servers), one `helpdesk worker`, on
  PostgreSQL and Redis.

Both are prepared as an operator would (`db upgrade`, `users create`, `tokens create`,
`channels add-webchat`: bench_widget.prepare) on a fresh database.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from bench import common
from bench.bench_widget import fresh_setup
from bench.http_harness import BIN, Server, free_port, stop


@dataclass
class Running:
    """Where clients go (`bases`: the proxy's address once, or each process), what to verify TLS
    with, the widget key and API token, and the pids whose CPU seconds count."""

    bases: list[str]
    key: str
    token: str
    env: dict
    verify: str | None = None
    pids: dict[str, int] = field(default_factory=dict)


def _nginx_config(folder: Path, ports: list[int], https_port: int) -> Path:
    from tests.deploy.proxy_stack import proxy_config

    path = proxy_config(folder, (ports[0], ports[0]), free_port(), https_port)
    text = path.read_text()
    first = f"        server 127.0.0.1:{ports[0]} max_fails=3 fail_timeout=10s;\n"
    assert text.count(first) == 2, "deploy/nginx.conf's upstream block changed: update bench/topology.py"
    servers = "".join(f"        server 127.0.0.1:{port} max_fails=3 fail_timeout=10s;\n" for port in ports)
    path.write_text(text.replace(first + first, servers))
    return path


@contextlib.contextmanager
def start(mode: str, url: str, redis_url: str | None = None, web: int = 2, extra_env: dict | None = None,
          worker_threads: int = 8):
    """Fresh database, prepared; the processes of `mode` ("embedded" or "scaled") running; yields Running."""
    if mode == "scaled" and not redis_url:
        raise SystemExit("scaled needs --redis-url (a Redis database of the benchmark's own: it is flushed)")
    env, key, token = fresh_setup(mode, url, redis_url if mode == "scaled" else None, extra_env)
    with contextlib.ExitStack() as stack:
        if mode == "embedded":
            server = stack.enter_context(Server(env["HELPDESK_DATABASE_URL"], command="run", env=env))
            yield Running([server.base], key, token, env, pids={"run": server.proc.pid})
            return
        env["HELPDESK_TRUSTED_PROXIES"] = "1"
        servers = [stack.enter_context(Server(env["HELPDESK_DATABASE_URL"], env=env)) for _ in range(web)]
        log = stack.enter_context((common.RESULTS / "scaled-worker.log").open("wb"))
        worker = subprocess.Popen([str(BIN / "helpdesk"), "worker", "--workers", str(worker_threads)],
                                  env=os.environ | env, stdout=log, stderr=subprocess.STDOUT)
        stack.callback(stop, worker)
        from tests.deploy.proxy_stack import start_nginx

        folder = common.RESULTS / "nginx"
        subprocess.run(["rm", "-rf", str(folder)], check=True)
        https_port = free_port()
        config = _nginx_config(folder, [s.port for s in servers], https_port)
        base = f"https://127.0.0.1:{https_port}"
        nginx = start_nginx(config, base)
        stack.callback(stop, nginx)
        pids = {f"web{n + 1}": s.proc.pid for n, s in enumerate(servers)} | {"worker": worker.pid, "nginx": nginx.pid}
        yield Running([base], key, token, env, verify=str(folder / "tls" / "fullchain.pem"), pids=pids)


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    """CPU seconds (user + system) each process has used so far, its children included."""
    from bench.bench_widget import cpu_seconds as of

    return {name: of(pid) for name, pid in pids.items()}
