"""/healthz, /readyz and /metrics from the outside, and the request id that reaches the jobs."""

from __future__ import annotations

import json
import logging

from helpdesk.extensions import db
from helpdesk.jobs.queue import huey
from helpdesk.models import Message, Ticket


def test_healthz_answers_without_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_is_ready_on_a_migrated_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json
    assert response.json["status"] == "ready"
    assert set(response.json["checks"]) >= {"database", "migrations", "job_queue"}


def test_readyz_says_which_check_fails_when_the_schema_is_behind(client, app, monkeypatch):
    from helpdesk.services.operations import readiness

    # The code expects a revision the database does not have (as after deploying newer code); the
    # database itself is left alone: on PostgreSQL it is shared by the tests that follow.
    monkeypatch.setattr(readiness, "schema_heads", lambda: {"f00000000000"})
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["migrations"]["ok"] is False
    assert "helpdesk db upgrade" in response.json["checks"]["migrations"]["detail"]
    assert response.json["checks"]["database"]["ok"] is True


def _metric(text_body: str, name: str) -> dict[str, float]:
    values = {}
    for line in text_body.splitlines():
        if line.startswith(name) and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            values[key] = float(value)
    return values


def test_metrics_count_requests_outbox_and_tickets(client, app, inbound, make_user):
    from helpdesk.services import replies

    ticket = db.session.get(Ticket, inbound(email="m@example.com").ticket_id)
    huey.immediate = False
    try:
        replies.add_reply(ticket, make_user(), body="queued for the outbox")
    finally:
        huey.flush()
    client.get("/healthz")
    body = client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).get_data(as_text=True)
    assert _metric(body, 'helpdesk_http_request_duration_seconds_count{endpoint="operations.healthz"')
    outbox = _metric(body, "helpdesk_outbox_messages")
    queued = db.session.query(Message).filter_by(delivery_state="queued").count()
    assert outbox['helpdesk_outbox_messages{state="queued"}'] == queued >= 1
    assert _metric(body, 'helpdesk_tickets_ingested_total{channel="web"}')
    assert _metric(body, "helpdesk_database_up") == {"helpdesk_database_up": 1.0}
    assert 'helpdesk_socketio_connections{namespace="/agent"}' in body
    assert "helpdesk_sla_scan_lag_seconds" in body


def test_metrics_are_refused_to_public_addresses_and_need_the_token_when_one_is_set(client, app):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "8.8.8.8"}).status_code == 403
    app.config["HELPDESK_METRICS_TOKEN"] = "s3cret-metrics-token"
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 403
    good = client.get("/metrics", headers={"Authorization": "Bearer s3cret-metrics-token"},
                      environ_base={"REMOTE_ADDR": "8.8.8.8"})
    assert good.status_code == 200
    assert good.content_type.startswith("text/plain")


def test_forwarded_addresses_are_believed_only_from_as_many_proxies_as_trusted(client, app_config, request):
    # By default a client cannot name its own address.
    forged = {"X-Forwarded-For": "10.0.0.5"}
    assert client.get("/metrics", headers=forged, environ_base={"REMOTE_ADDR": "8.8.8.8"}).status_code == 403

    app_config["HELPDESK_TRUSTED_PROXIES"] = 1  # nginx at 10.0.0.2, as in deploy/compose.yaml
    from helpdesk import create_app

    behind = create_app(app_config).test_client()
    via_proxy = {"REMOTE_ADDR": "10.0.0.2"}
    assert behind.get("/metrics", headers={"X-Forwarded-For": "8.8.4.4"}, environ_base=via_proxy).status_code == 403
    # What the client sent itself stays ahead of the address the proxy appended, and is not believed.
    spoofed = {"X-Forwarded-For": "10.0.0.9, 8.8.4.4"}
    assert behind.get("/metrics", headers=spoofed, environ_base=via_proxy).status_code == 403
    assert behind.get("/metrics", headers={"X-Forwarded-For": "10.0.0.5"}, environ_base=via_proxy).status_code == 200


@huey.task()
def _noted(text_: str) -> None:
    logging.getLogger("helpdesk.test").info("job ran: %s", text_)


def test_json_logs_carry_the_request_id_into_the_jobs_the_request_queued(client, app, login, make_user, capsys):
    from helpdesk.services.operations import logs

    logs.configure("json")
    huey.immediate = False  # queued by the request, run afterwards as a worker would
    try:
        app.add_url_rule("/_queue-a-job", "queue_a_job", lambda: (_noted("x"), "ok")[1])
        response = client.get("/_queue-a-job", headers={"X-Request-ID": "req-abc-12345"})
        assert response.headers["X-Request-ID"] == "req-abc-12345"
        assert logs.request_id.get() is None  # the request is over
        huey.execute(huey.dequeue())
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
        ran = [line for line in lines if line["message"] == "job ran: x"]
        assert ran and ran[0]["request_id"] == "req-abc-12345"
        assert {"time", "level", "logger"} <= set(ran[0])
    finally:
        huey.flush()
        logging.getLogger().handlers[:] = [h for h in logging.getLogger().handlers if not getattr(h, "_helpdesk", False)]


def test_a_forged_request_id_is_replaced(client):
    response = client.get("/healthz", headers={"X-Request-ID": 'x" {"level": "forged"}'})
    assert response.headers["X-Request-ID"] != 'x" {"level": "forged"}'
    assert len(response.headers["X-Request-ID"]) == 32
