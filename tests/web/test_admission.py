"""Admission control: a few requests run at once, the others wait their turn in arrival order."""

from __future__ import annotations

import threading

from helpdesk.web import admission


def _queued(slots: admission.Slots, count: int) -> None:
    while len(slots._waiting) < count:  # until the waiter is in line (no sleeps to tune)
        threading.Event().wait(0.001)


def test_freed_slots_go_to_waiters_in_the_order_they_came():
    slots = admission.Slots(1)
    assert slots.acquire(1)
    order: list[int] = []

    def wait_turn(n: int) -> None:
        assert slots.acquire(30)
        order.append(n)
        slots.release()

    threads = []
    for n in range(5):
        thread = threading.Thread(target=wait_turn, args=(n,))
        thread.start()
        _queued(slots, n + 1)
        threads.append(thread)
    slots.release()
    for thread in threads:
        thread.join(30)
    assert order == [0, 1, 2, 3, 4]
    assert slots.acquire(0.01), "every slot came back"


def test_a_request_that_waits_too_long_gives_up_and_leaves_the_line():
    slots = admission.Slots(2)
    assert slots.acquire(1) and slots.acquire(1)
    assert not slots.acquire(0.01)
    assert not slots._waiting
    slots.release()
    assert slots.acquire(0.01)


def test_a_busy_process_answers_503_but_still_answers_health_checks(app):
    admission.install(app, 1, 0.05)
    held = app.wsgi_app.slots
    client = app.test_client()
    assert client.get("/login").status_code == 200
    assert held.acquire(1)  # the one slot is busy
    try:
        busy = client.get("/login")
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "5"
        assert client.get("/healthz").status_code == 200
    finally:
        held.release()
    assert client.get("/login").status_code == 200


def test_no_limit_leaves_the_application_as_it_is(app):
    before = app.wsgi_app
    admission.install(app, 0, 1)
    assert app.wsgi_app is before


def test_socket_events_take_the_same_slots(app, make_user, token_for):
    from helpdesk.extensions import socketio

    admission.install(app, 1, 0.05)
    held = app.wsgi_app.slots
    token = token_for(make_user())
    assert held.acquire(1)  # the one slot is busy: the connect waits its turn, then is refused
    try:
        waiting = socketio.test_client(app, namespace="/agent", auth={"token": token})
        assert not waiting.is_connected("/agent")
    finally:
        held.release()
    admitted = socketio.test_client(app, namespace="/agent", auth={"token": token})
    assert admitted.is_connected("/agent")
    assert "hello" in [r["name"] for r in admitted.get_received("/agent")]
    admitted.disconnect(namespace="/agent")
    assert held.acquire(0.01), "every slot came back"
