"""The chat widget's in-panel rating over the real /chat namespace: the survey shows live and on
return, only the visitor whose conversation it is can answer, once, within its time."""

from __future__ import annotations

from datetime import timedelta

from helpdesk.extensions import db
from helpdesk.models import Message, Survey, Ticket
from helpdesk.models.base import utcnow
from helpdesk.services import tickets
from helpdesk.services.surveys import sending as surveys
from tests.realtime.test_chat_namespace import NS, named, say, visit, welcome, widget  # noqa: F401 - fixture
from tests.surveys.conftest import PUBLIC_URL, surveys_of


def chat_solved(app, widget, agent, enable, kind="csat"):  # noqa: F811 - the widget fixture
    """A visitor chats, `agent` solves the chat, `kind` surveys are on: (client, token, ticket)."""
    enable(kind)
    client = visit(app, widget.settings["key"])
    token = welcome(client)["token"]
    ticket = db.session.get(Ticket, say(client, "My order never came")["ticket_id"])
    tickets.update_ticket(ticket, agent, status="solved")
    client.get_received(NS)
    return client, token, ticket


def send_surveys() -> None:
    surveys.send_due(PUBLIC_URL, now=utcnow())


def rate(client, ref, score, comment=None) -> dict:
    return client.emit("rate", {"ref": ref, "score": score, "comment": comment}, namespace=NS, callback=True)


def stored(ticket) -> Survey:
    (survey,) = surveys_of(ticket.id)
    return survey


def test_the_survey_appears_live_in_the_panel_and_the_visitors_rating_is_recorded(app, widget, agent, enable):  # noqa: F811
    client, _, ticket = chat_solved(app, widget, agent, enable)
    send_surveys()
    (shown,) = named(client.get_received(NS), "message_added")
    rating = shown["survey"]
    assert rating == {"ref": stored(ticket).reference, "kind": "csat", "low": 1, "high": 5, "state": "open",
                      "question": "How satisfied are you with the help you got? (1 = not at all, 5 = very)",
                      "score": None, "comment_max": 2000}
    assert shown["from"] == "agent" and shown["id"] == stored(ticket).message_id
    answer = rate(client, rating["ref"], 4, "<b>Quick</b> and kind")
    assert answer["ok"] is True and answer["text"] == "Thank you for your rating!"
    assert (answer["survey"]["state"], answer["survey"]["score"]) == ("answered", 4)
    survey = stored(ticket)
    assert (survey.state, survey.score, survey.comment) == ("answered", 4, "Quick and kind")
    assert db.session.get(Message, survey.message_id).delivery_state == "delivered"


def test_a_visitor_who_comes_back_finds_the_pending_survey_and_can_answer_it(app, widget, agent, enable):  # noqa: F811
    client, token, ticket = chat_solved(app, widget, agent, enable)
    client.disconnect(NS)
    send_surveys()
    survey = stored(ticket)
    assert db.session.get(Message, survey.message_id).delivery_state == "sent"  # waiting for the visitor
    again = visit(app, widget.settings["key"], token=token)
    last = welcome(again)["history"][-1]
    assert (last["id"], last["survey"]["state"]) == (survey.message_id, "open")
    assert rate(again, last["survey"]["ref"], 5)["ok"] is True
    assert stored(ticket).score == 5
    # Back once more: the rating shows as answered, with the score given.
    third = visit(app, widget.settings["key"], token=token)
    assert welcome(third)["history"][-1]["survey"] == last["survey"] | {"state": "answered", "score": 5}


def test_a_second_rating_is_refused_with_a_clear_message_and_the_first_stays(app, widget, agent, enable):  # noqa: F811
    client, token, ticket = chat_solved(app, widget, agent, enable)
    other_tab = visit(app, widget.settings["key"], token=token)
    send_surveys()
    ref = stored(ticket).reference
    other_tab.get_received(NS)
    assert rate(client, ref, 5)["ok"] is True
    (update,) = named(other_tab.get_received(NS), "survey_updated")
    assert (update["ref"], update["state"], update["score"]) == (ref, "answered", 5)
    again = rate(other_tab, ref, 1, "changed my mind")
    assert again["ok"] is False and again["error"] == "This survey was already answered. Thank you!"
    assert (again["survey"]["state"], again["survey"]["score"]) == ("answered", 5)
    survey = stored(ticket)
    assert (survey.score, survey.comment) == (5, None)


def test_another_visitor_cannot_rate_a_survey_that_is_not_on_their_conversation(app, widget, agent, enable):  # noqa: F811
    _, _, ticket = chat_solved(app, widget, agent, enable)
    send_surveys()
    stranger = visit(app, widget.settings["key"])
    welcome(stranger)
    answer = rate(stranger, stored(ticket).reference, 1)
    assert answer == {"ok": False, "text": "This survey is not available.", "error": "This survey is not available.",
                      "survey": None, "field": None}
    assert rate(stranger, "", 1)["ok"] is False and rate(stranger, "x" * 500, 1)["ok"] is False
    assert (stored(ticket).state, stored(ticket).score) == ("sent", None)


def test_an_expired_survey_cannot_be_rated_and_shows_as_closed(app, widget, agent, enable):  # noqa: F811
    client, token, ticket = chat_solved(app, widget, agent, enable)
    send_surveys()
    survey = stored(ticket)
    survey.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    answer = rate(client, survey.reference, 5)
    assert (answer["ok"], answer["error"], answer["survey"]["state"]) == (False, "This survey has expired.", "closed")
    assert (stored(ticket).state, stored(ticket).score) == ("sent", None)
    assert welcome(visit(app, widget.settings["key"], token=token))["history"][-1]["survey"]["state"] == "closed"


def test_a_score_off_the_scale_is_refused_and_nps_takes_zero_to_ten(app, widget, agent, enable):  # noqa: F811
    client, _, ticket = chat_solved(app, widget, agent, enable, kind="nps")
    send_surveys()
    (shown,) = named(client.get_received(NS), "message_added")
    assert (shown["survey"]["kind"], shown["survey"]["low"], shown["survey"]["high"]) == ("nps", 0, 10)
    refused = rate(client, shown["survey"]["ref"], 11)
    assert (refused["ok"], refused["field"], refused["error"]) == (False, "score", "choose a score from 0 to 10")
    assert rate(client, shown["survey"]["ref"], "ten")["field"] == "score"
    assert rate(client, shown["survey"]["ref"], 0)["ok"] is True
    assert (stored(ticket).state, stored(ticket).score) == ("answered", 0)
