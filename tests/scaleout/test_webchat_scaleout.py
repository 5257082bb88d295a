"""Scale-out of the chat widget: two `helpdesk web` processes and a worker sharing PostgreSQL and Redis.

A visitor's widget is connected to process A and the agent console's socket to process B: the
visitor's message reaches the agent through Redis, and the agent's answer (pushed by B as it is
committed) reaches the visitor on A the same way.
"""

from __future__ import annotations

import uuid

import pytest
import requests

from tests.scaleout.chat_cluster import SHOP, Listener, start_cluster
from tests.support import redis_test_url

REDIS_URL = redis_test_url(11)  # flushed: a database of its own (see tests/support.redis_test_url)


@pytest.fixture
def cluster(pg_schema_url, redis_url, tmp_path):
    """Both web processes and the worker on one Redis database."""
    yield from start_cluster(pg_schema_url, (redis_url, redis_url), tmp_path / "instance")


def test_a_visitor_on_one_web_process_and_an_agent_on_another_talk_through_redis(cluster):
    agent, visitor = Listener("/agent"), Listener("/chat", origin=SHOP)
    try:
        agent.client.connect(cluster["b"], namespaces=["/agent"], auth={"token": cluster["token"]},
                             transports=["websocket"], wait_timeout=10)
        visitor.client.connect(cluster["a"], namespaces=["/chat"], auth={"key": cluster["key"]},
                               transports=["websocket"], wait_timeout=10)
        hello = visitor.wait_for(lambda e, d: e == "welcome")
        assert hello is not None, f"no welcome on A; heard {visitor.heard}"

        sent = visitor.client.call("post_message", {"text": "Where is my order 1234?", "client_id": uuid.uuid4().hex},
                                   namespace="/chat", timeout=10)
        assert sent["ok"], sent
        seen = agent.wait_for(lambda e, d: e == "message.created" and d.get("message_id") == sent["id"])
        assert seen is not None, f"the agent on B did not hear the message; heard {[e for e, _ in agent.heard]}"
        assert seen[1]["ticket_id"] == sent["ticket_id"] and seen[1]["channel"] == "webchat"
        assert agent.wait_for(lambda e, d: e == "chat.waiting" and d.get("ticket_id") == sent["ticket_id"]) is not None

        answer = requests.post(f"{cluster['b']}/api/v1/tickets/{sent['ticket_id']}/replies", timeout=10,
                               headers={"Authorization": f"Bearer {cluster['token']}"},
                               json={"body": "It left the warehouse today."})
        assert answer.status_code == 201, answer.text
        reply = visitor.wait_for(lambda e, d: e == "message_added" and d.get("from") == "agent")
        assert reply is not None, f"the visitor on A did not get the answer; heard {[e for e, _ in visitor.heard]}"
        assert reply[1]["text"] == "It left the warehouse today."
        assert reply[1]["author"] == "Ana" and reply[1]["state"] == "delivered"
        # Handed over at commit (the visitor's widget is open): announced to agents as delivered.
        delivered = agent.wait_for(lambda e, d: e in ("message.created", "message.updated")
                                   and d.get("message_id") == answer.json()["id"] and d.get("delivery_state") == "delivered")
        assert delivered is not None, "the agent on B never saw the answer marked delivered"
    finally:
        agent.close()
        visitor.close()
