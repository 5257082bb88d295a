"""The web chat widget's server side: the `/chat` Socket.IO namespace for visitors, the live push
of agent replies (the "webchat" adapter's transport) and the hooks that tell agents about chats.

Services own the logic (services.webchat: widgets, visitors, messages, live_chat);
this package parses, authorises and emits. The HTTP side (widget.js, uploads, file links,
confirmation links) is helpdesk.web.widget.
"""

from __future__ import annotations

from flask import Flask

from helpdesk.extensions import socketio
from helpdesk.services import events, replies


def init_app(app: Flask) -> None:
    """Register the namespace, the visitor registry, the rate limits and the event subscribers."""
    from helpdesk.jobs import webchat as jobs
    from helpdesk.webchat import delivery, namespace, presence

    presence.init(app)
    jobs.init_app(app)
    socketio.on_namespace(namespace.ChatNamespace(delivery.NAMESPACE))
    events.ticket_created.connect(delivery.announce_new_chat, weak=False)
    events.message_created.connect(delivery.deliver_live, weak=False)
    replies.register_handover("webchat", delivery.handover)
