"""Endpoints for load balancers and monitoring: `/healthz`, `/readyz`, `/metrics`; and the request
id and timing every request gets."""

from __future__ import annotations

import hmac
import ipaddress
import time

from flask import Blueprint, Flask, Response, abort, current_app, g, jsonify, request
from werkzeug.middleware.proxy_fix import ProxyFix

from helpdesk.extensions import csrf
from helpdesk.jobs.queue import huey
from helpdesk.services import events
from helpdesk.services.operations import logs, metrics, readiness

bp = Blueprint("operations", __name__)


@bp.get("/healthz")
def healthz():
    """The process answers (it does not look at the database: that is /readyz)."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """200 when every check passes, else 503; the body names each check."""
    found = readiness.checks(huey)
    ready = all(c.ok for c in found)
    body = {"status": "ready" if ready else "not ready",
            "checks": {c.name: {"ok": c.ok, **({"detail": c.detail} if c.detail else {})} for c in found}}
    return jsonify(body), 200 if ready else 503


def _may_read_metrics() -> bool:
    token = current_app.config.get("HELPDESK_METRICS_TOKEN")
    if token:
        offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(offered.encode(), token.encode())
    try:
        peer = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return peer.is_loopback or peer.is_private


@bp.get("/metrics")
def prometheus_metrics():
    """Prometheus text format; with HELPDESK_METRICS_TOKEN set it needs that bearer token, without
    it only loopback and private addresses may read it."""
    if not _may_read_metrics():
        abort(403)
    body, content_type = metrics.exposition(current_app._get_current_object(), huey)
    return Response(body, content_type=content_type)


def _start() -> None:
    g.started = time.perf_counter()
    g.request_id_token = logs.request_id.set(logs.new_request_id(request.headers.get("X-Request-ID")))


def _finish(response: Response) -> Response:
    rid = logs.request_id.get()
    if rid:
        response.headers["X-Request-ID"] = rid
    started = g.get("started")
    if started is not None:
        metrics.observe_request(request.endpoint or "unmatched", request.method, response.status_code, started)
    return response


def _forget(_exc) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        logs.request_id.reset(token)


def trust_proxies(app: Flask) -> None:
    """Behind HELPDESK_TRUSTED_PROXIES proxies, take the client's address and scheme from the
    headers they add: otherwise every request comes from the proxy, and sign-in and chat rate
    limits, audit entries and the /metrics address check would all see one address. Called last,
    so the middleware is outermost and Socket.IO's sessions get the client's address as well."""
    hops = app.config.get("HELPDESK_TRUSTED_PROXIES") or 0
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def init_app(app: Flask) -> None:
    """Register the endpoints and the per-request id and timing."""
    csrf.exempt(bp)
    app.register_blueprint(bp)
    app.before_request_funcs.setdefault(None, []).insert(0, _start)  # first, so the id is on every line
    app.after_request(_finish)
    app.teardown_request(_forget)
    events.ticket_created.connect(metrics.count_ticket, weak=False)
