"""A Socket.IO namespace that runs, for what a client emits, only the handlers it lists as public.

Flask-SocketIO dispatches any event name a client sends to the method `on_<name>`, the server's
own `connect` and `disconnect` included: a client emitting "disconnect" ran the disconnect handler
while its socket stayed open (supervisors were told the agent went offline). Here a client's event
is run only when its name is in PUBLIC_EVENTS; `connect` and `disconnect` run only when the server
itself raises them, which it does while the socket is still connecting or already leaving, never
while it is fully connected (the only state in which a client's event is dispatched).
"""

from __future__ import annotations

import logging

from flask_socketio import Namespace

from helpdesk.web import admission

log = logging.getLogger(__name__)


class PublicEventsNamespace(Namespace):
    """Subclasses name the events a client may emit in PUBLIC_EVENTS (one `on_<name>` each)."""

    PUBLIC_EVENTS: frozenset[str] = frozenset()

    def trigger_event(self, event, *args):
        if event in self.PUBLIC_EVENTS or (event in ("connect", "disconnect") and self._raised_by_server(event, args)):
            return self._admitted(event, args)
        log.info("ignored event %.60r from a client on %s", event, self.namespace)
        return None

    def _admitted(self, event: str, args: tuple):
        """Run the handler once the process's admission (helpdesk.web.admission) has a slot for
        it, like a request; dropped (logged) when none comes within its wait."""
        environ = self.socketio.server.get_environ(args[0], namespace=self.namespace) if args else None
        gate = admission.for_socket_events(environ.get("flask.app") if environ else None)
        if gate is None:
            return super().trigger_event(event, *args)
        if not gate.slots.acquire(gate.wait):
            if event == "disconnect":
                return super().trigger_event(event, *args)  # leaving must always be recorded
            log.warning("event %s on %s dropped: no free slot within %s s", event, self.namespace, gate.wait)
            return False if event == "connect" else None  # a connect not run is refused, never let in
        try:
            return super().trigger_event(event, *args)
        finally:
            gate.slots.release()

    def _raised_by_server(self, event: str, args: tuple) -> bool:
        """True while the socket is connecting (for `connect`) or leaving (for `disconnect`): the
        server's own calls. A client's emit only reaches a handler when it is fully connected."""
        if not args:
            return False
        manager = self.socketio.server.manager
        pending = manager.pending_connect if event == "connect" else manager.pending_disconnect
        return args[0] in pending.get(self.namespace, ())
