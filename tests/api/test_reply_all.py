"""To and Cc of each message in the API, and "reply to all" from the API and the console: a real
mail through the test Dovecot in, the reply captured by a real SMTP server out."""

from __future__ import annotations

from email import message_from_bytes
from email.utils import getaddresses

import pytest

from helpdesk.services.mail import mailboxes
from helpdesk.services.mail import sync as mail_sync
from tests.mail.conftest import mailbox, make_mail  # noqa: F401 - the mailbox fixture

OTHER_DESK = "billing@helpdesk.example"


@pytest.fixture
def ticket_id(app, mailbox, dovecot, api):  # noqa: F811 - the imported fixture
    # A second mailbox of ours, copied on the customer's mail: never copied back.
    mailboxes.add_mailbox(name="billing", address=OTHER_DESK, imap_host="127.0.0.1", imap_port=dovecot.port,
                          imap_user=OTHER_DESK, imap_password="imap-secret", imap_security="none")
    raw = make_mail(sender="maria@customer.example", subject="Order 42", to=f"Support <{mailbox.user}>, Bob Buyer "
                    "<Bob@Customer.example>", headers={"Cc": f"Carla <carla@partner.example>, {OTHER_DESK}"})
    dovecot.deliver(mailbox.user, raw)
    [ticket] = mail_sync.sync_mailbox(mailbox.id).tickets
    return ticket


def test_each_message_shows_its_to_and_cc(api, ticket_id, mailbox):  # noqa: F811
    [message] = api.get(f"/tickets/{ticket_id}").get_json()["messages"]
    assert message["to"] == [{"name": "Support", "address": mailbox.user},
                             {"name": "Bob Buyer", "address": "bob@customer.example"}]
    assert message["cc"] == [{"name": "Carla", "address": "carla@partner.example"},
                             {"name": None, "address": OTHER_DESK}]


def test_reply_to_all_copies_everyone_but_the_helpdesk(api, ticket_id, mailbox, smtp_server):  # noqa: F811
    response = api.post(f"/tickets/{ticket_id}/replies", json={"body": "On its way", "reply_all": True})
    assert response.status_code == 201, response.get_json()
    reply = response.get_json()
    assert reply["cc"] == [{"name": "Bob Buyer", "address": "bob@customer.example"},
                           {"name": "Carla", "address": "carla@partner.example"}]
    [sent] = smtp_server.messages
    assert sorted(sent.rcpt_tos) == ["bob@customer.example", "carla@partner.example", "maria@customer.example"]
    mail = message_from_bytes(sent.content)
    assert [a for _, a in getaddresses([mail["Cc"]])] == ["bob@customer.example", "carla@partner.example"]
    assert OTHER_DESK not in mail["Cc"] and mailbox.user not in mail["Cc"]
    # Once delivered, the reply shows whom it went to.
    [_, stored] = api.get(f"/tickets/{ticket_id}").get_json()["messages"]
    assert stored["to"] == [{"name": "María López", "address": "maria@customer.example"}]
    assert stored["cc"] == reply["cc"] and stored["delivery_state"] == "sent"


def test_a_plain_reply_goes_to_the_customer_alone(api, ticket_id, smtp_server):
    assert api.post(f"/tickets/{ticket_id}/replies", json={"body": "Just you"}).status_code == 201
    [sent] = smtp_server.messages
    assert sent.rcpt_tos == ["maria@customer.example"]
    assert message_from_bytes(sent.content)["Cc"] is None
    assert api.post(f"/tickets/{ticket_id}/replies", json={"body": "x", "reply_all": "maybe"}).status_code == 422


def test_the_console_offers_reply_to_all_and_sends_it(client, login, agent, ticket_id, smtp_server):
    login(agent)
    page = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert 'name="reply_all"' in page and "carla@partner.example" in page and OTHER_DESK not in page.split(
        'name="reply_all"')[1].split("</label>")[0]
    response = client.post(f"/tickets/{ticket_id}/reply", data={"body": "To all of you", "reply_all": "1"})
    assert response.status_code == 303
    [sent] = smtp_server.messages
    assert sorted(sent.rcpt_tos) == ["bob@customer.example", "carla@partner.example", "maria@customer.example"]


def test_no_reply_to_all_control_when_nobody_else_was_on_the_mail(client, login, agent, inbound):
    login(agent)
    ticket_id = inbound(email="solo@example.com").ticket_id
    assert 'name="reply_all"' not in client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
