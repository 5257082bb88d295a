"""Who wrote: customer identity telegram:<user id>, name and username; which ticket a chat joins."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from helpdesk.extensions import db
from helpdesk.models import Customer, Identity, Ticket
from helpdesk.services.telegram import bots as telegram_bots
from helpdesk.services.telegram import polling as telegram_polling
from tests.telegram import updates
from tests.telegram.bot_api_server import TOKEN
from tests.telegram.updates import ANA, BEN


def poll(bot, bot_api, *items) -> None:
    for item in items:
        bot_api.push(item)
    assert telegram_polling.poll_bot(bot.id).error is None


def tickets() -> list[Ticket]:
    return list(db.session.scalars(select(Ticket).order_by(Ticket.id)))


def test_the_customer_is_the_telegram_user_with_name_username_and_language(bot, bot_api):
    poll(bot, bot_api, updates.text("hola"), updates.text("otra vez"), updates.text("hi", user=BEN))
    ana = db.session.scalar(select(Identity).where(Identity.address == str(ANA["id"]))).customer
    assert [(i.kind, i.address) for i in ana.identities] == [("telegram", "424242001")]
    assert ana.name == "Ana López" and ana.language == "es"
    assert ana.notes == "Telegram @ana_lopez (user 424242001)"
    ben = db.session.scalar(select(Identity).where(Identity.address == str(BEN["id"]))).customer
    assert ben.name == "Ben" and ben.notes is None
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 2


def test_a_new_username_is_noted_and_the_old_one_kept(bot, bot_api):
    poll(bot, bot_api, updates.text("one"), updates.text("two", user=dict(ANA, username="ana_l")))
    customer = db.session.scalar(select(Customer))
    assert customer.notes.splitlines() == ["Telegram @ana_lopez (user 424242001)", "Telegram @ana_l (user 424242001)"]


def test_a_user_without_a_name_is_called_by_the_username(bot, bot_api):
    nameless = {"id": 99, "is_bot": False, "first_name": "", "username": "mystery"}
    poll(bot, bot_api, updates.text("?", user=nameless))
    assert db.session.scalar(select(Customer.name)) == "@mystery"


def test_a_chat_continues_its_open_ticket_and_reopens_it_once_solved(bot, bot_api):
    poll(bot, bot_api, updates.text("first"), updates.text("more"))
    (ticket,) = tickets()
    ticket.status = "solved"
    db.session.commit()
    poll(bot, bot_api, updates.text("it broke again"))
    assert [(t.id, t.status) for t in tickets()] == [(ticket.id, "open")]


def test_a_closed_ticket_stays_closed_and_the_chat_starts_a_new_one(bot, bot_api):
    poll(bot, bot_api, updates.text("first"))
    (ticket,) = tickets()
    ticket.status = "closed"
    db.session.commit()
    poll(bot, bot_api, updates.text("new question"))
    assert [t.status for t in tickets()] == ["closed", "new"]


@pytest.fixture
def strict_bot(app, bot_api, groups):
    """A bot whose chats start a new ticket once the last one is solved."""
    return telegram_bots.add_bot(name="strict", token=TOKEN, api_url=bot_api.url, reopen_solved=False,
                                 group="Billing")


def test_a_bot_may_start_a_new_ticket_after_the_solved_one(strict_bot, bot_api):
    poll(strict_bot, bot_api, updates.text("first question"), updates.text("detail"))
    (first,) = tickets()
    first.status = "solved"
    db.session.commit()
    poll(strict_bot, bot_api, updates.text("second question"), updates.text("its detail"))
    solved, second = tickets()
    assert (solved.id, solved.status, second.status) == (first.id, "solved", "new")
    assert second.subject == "second question" and second.group.name == "Billing"
    assert len(db.session.scalars(select(Ticket.id)).all()) == 2  # the detail joined the second ticket
    second.status = "solved"
    db.session.commit()
    poll(strict_bot, bot_api, updates.text("third question"))
    assert [t.status for t in tickets()] == ["solved", "solved", "new"]
    assert len({t.customer_id for t in tickets()}) == 1


def test_two_users_in_one_group_chat_share_the_chats_ticket(bot, bot_api):
    group = {"id": -1001234567890, "type": "supergroup", "title": "Acme customers"}
    poll(bot, bot_api, updates.text("our office printer", chat=group), updates.text("same here", user=BEN, chat=group))
    (ticket,) = tickets()
    assert ticket.thread_key == "chat:-1001234567890"


def test_a_reply_on_a_group_chat_ticket_goes_to_the_group(bot, bot_api, make_user):
    from helpdesk.services import replies

    group = {"id": -1001234567890, "type": "supergroup", "title": "Acme customers"}
    poll(bot, bot_api, updates.text("our office printer", chat=group))
    replies.add_reply(tickets()[0], make_user(), body="On it.")
    assert [(s.chat_id, s.text) for s in bot_api.sent] == [("-1001234567890", "On it.")]


def test_a_shared_own_contact_links_the_customer_to_the_same_person_on_whatsapp(bot, bot_api):
    from helpdesk.services import customers

    whatsapp = customers.create_customer(name="Ana L.", identities=[("whatsapp", "+34 600 111 222")])
    own = {"phone_number": "+34600111222", "first_name": "Ana", "user_id": ANA["id"]}
    someone_else = {"phone_number": "+34699999999", "first_name": "Mum"}
    poll(bot, bot_api, updates.text("", contact=someone_else), updates.text("", contact=own))
    ana = db.session.scalar(select(Identity).where(Identity.kind == "telegram")).customer
    assert sorted((i.kind, i.address) for i in ana.identities) == [("phone", "+34600111222"), ("telegram", "424242001")]
    assert [(s.customer.id, s.reason) for s in customers.likely_duplicates(ana)] == [
        (whatsapp.id, "same phone number +34600111222")]
