"""A Telegram survey: score buttons under the question, a press answered through the local Bot API."""

from __future__ import annotations

import itertools

from sqlalchemy import select

from helpdesk.extensions import db
from helpdesk.models import Message, Ticket
from helpdesk.models.base import utcnow
from helpdesk.services import tickets
from helpdesk.services.surveys import sending as surveys
from helpdesk.services.telegram import polling as telegram_polling
from tests.surveys.conftest import PUBLIC_URL, surveys_of
from tests.telegram import updates
from tests.telegram.updates import ANA, BEN

_query_ids = itertools.count(5000)


def press(bot_api, sent, data: str, user: dict = ANA) -> dict:
    """Push the callback_query Telegram sends when `user` presses the button `data` under `sent`."""
    return bot_api.push({"callback_query": {
        "id": str(next(_query_ids)), "from": user, "chat_instance": "-7001", "data": data,
        "message": {"message_id": sent.message_id, "chat": updates.private_chat(ANA), "date": 1718000000,
                    "text": sent.text}}})


def surveyed_chat(bot, bot_api, enable, agent, kind: str = "csat"):
    enable(kind)
    bot_api.push(updates.text("My parcel never came"))
    telegram_polling.poll_bot(bot.id)
    ticket = db.session.scalar(select(Ticket).order_by(Ticket.id.desc()))
    tickets.update_ticket(ticket, agent, status="solved")
    surveys.send_due(PUBLIC_URL, now=utcnow())
    (survey,) = surveys_of(ticket.id)
    return ticket, survey, bot_api.sent[-1]


def keyboard(sent) -> list[list[dict]]:
    return sent.params["reply_markup"]["inline_keyboard"]


def test_the_survey_goes_to_the_chat_with_one_button_per_score_and_no_ticket_id(bot, bot_api, enable, agent):
    ticket, survey, sent = surveyed_chat(bot, bot_api, enable, agent)
    assert sent.method == "sendMessage" and sent.chat_id == str(ANA["id"]) and "/survey/" in sent.text
    (row,) = keyboard(sent)
    assert [b["text"] for b in row] == ["★", "★★", "★★★", "★★★★", "★★★★★"]
    # The survey's random reference and the score, nothing else: no ticket id to guess or change.
    assert [b["callback_data"] for b in row] == [f"sv:{survey.reference}:{n}" for n in range(1, 6)]
    assert len(survey.reference) == 12 and survey.channel == "telegram"


def test_an_nps_keyboard_holds_zero_to_ten(bot, bot_api, enable, agent):
    _, _, sent = surveyed_chat(bot, bot_api, enable, agent, kind="nps")
    assert [[b["text"] for b in row] for row in keyboard(sent)] == [list("012345"), ["6", "7", "8", "9", "10"]]


def test_pressing_a_score_records_it_and_answers_the_callback_query(bot, bot_api, enable, agent):
    ticket, survey, sent = surveyed_chat(bot, bot_api, enable, agent)
    four = keyboard(sent)[0][3]["callback_data"]
    update = press(bot_api, sent, four)
    telegram_polling.poll_bot(bot.id)
    db.session.expire_all()
    db.session.refresh(survey)
    assert (survey.state, survey.score) == ("answered", 4)
    assert bot_api.callback_answers == [{"callback_query_id": update["callback_query"]["id"],
                                         "text": "Thank you for your rating!"}]
    # The press is no customer message: the solved ticket stays solved, no message is added.
    assert db.session.get(Ticket, ticket.id).status == "solved"
    assert not db.session.scalar(select(Message.id).where(Message.external_id.like("callback:%")))


def test_a_second_press_is_answered_but_the_first_score_stays(bot, bot_api, enable, agent):
    _, survey, sent = surveyed_chat(bot, bot_api, enable, agent)
    row = keyboard(sent)[0]
    press(bot_api, sent, row[4]["callback_data"])
    press(bot_api, sent, row[0]["callback_data"])
    telegram_polling.poll_bot(bot.id)
    db.session.refresh(survey)
    assert survey.score == 5
    assert [a["text"] for a in bot_api.callback_answers] == ["Thank you for your rating!",
                                                            "This survey was already answered. Thank you!"]


def test_a_press_from_someone_else_or_a_forged_reference_records_nothing(bot, bot_api, enable, agent):
    _, survey, sent = surveyed_chat(bot, bot_api, enable, agent)
    bot_api.push(updates.text("hi", user=BEN))  # Ben is a customer of this bot too
    press(bot_api, sent, keyboard(sent)[0][0]["callback_data"], user=BEN)
    press(bot_api, sent, "sv:forged-reference:1")
    telegram_polling.poll_bot(bot.id)
    db.session.refresh(survey)
    assert (survey.state, survey.score) == ("sent", None)
    assert [a["text"] for a in bot_api.callback_answers] == ["This survey is not available."] * 2
