"""The safety check and hand-offs end to end through Rasa's REST channel: real model,
real action server, real Redis. Replies are compared with the catalogs' texts."""
import json

import pytest

from mitra.responses import RESPONSES
from actions import risk
from mitra import cases
from mitra.i18n import gettext
from tests.test_rest_channel import new_sender, say


def text(name, language="en"):
    return gettext(language, RESPONSES[name].text)


def texts(replies):
    return [r.get("text") for r in replies if r.get("text")]


def answer_all(stack, sender, answers):
    """Presses buttons for each question in turn; returns the replies to the last one."""
    replies = []
    for payload in answers:
        replies = say(stack, sender, payload)
    return replies


def start_check(stack, sender, language_hint="hello"):
    say(stack, sender, language_hint)
    replies = say(stack, sender, "/start_safety_check")
    assert texts(replies)[:2] == [text("utter_check_intro"), text("utter_ask_sc_country")]
    assert [b["payload"] for b in replies[1]["buttons"]][:2] == ['/inform{"country":"KH"}', '/inform{"country":"TH"}']


def test_low_risk_check_tells_the_person_so(stack, redis_client):
    sender = new_sender()
    start_check(stack, sender)
    fine = ["/deny", "/deny", "/deny", "/affirm", "/deny", "/affirm", "/deny", "/deny", "/affirm", "/deny", "/deny", "/deny", "/deny"]
    replies = answer_all(stack, sender, ['/inform{"country":"TH"}'] + fine)
    assert texts(replies) == [text("utter_check_low")]
    assert not redis_client.exists(cases.open_case_key(sender))


def test_one_question_at_a_time_with_buttons(stack):
    sender = new_sender()
    start_check(stack, sender)
    replies = say(stack, sender, '/inform{"country":"TH"}')
    assert texts(replies) == [text("utter_ask_sc_deception")]
    titles = [b["title"] for b in replies[0]["buttons"]]
    assert titles == [gettext("en", t) for t in ("Yes", "No", "Don't know", "Skip")]


def test_high_risk_hands_off_at_once(stack, redis_client):
    sender = new_sender()
    start_check(stack, sender)
    answers = ['/inform{"country":"TH"}', "/affirm", "/skip_question", "/affirm", "/deny", "/affirm"]
    for payload in answers:
        replies = say(stack, sender, payload)
    # Still asking: the check finishes before the hand-off.
    rest = ["/deny", "/deny", "/deny", "/affirm", "/deny", "/deny", "/deny", "/skip_question"]
    replies = answer_all(stack, sender, rest)
    assert texts(replies) == [text("utter_check_high"), text("utter_handoff_urgent")]
    case_id = redis_client.get(cases.open_case_key(sender))
    case = cases.Case.from_redis(redis_client.hgetall(cases.case_key(case_id)))
    assert case.urgency == cases.URGENT and case.risk == risk.HIGH
    assert "retention_of_documents" in case.indicators and case.country == "TH"


def test_typed_answers_are_understood(stack):
    sender = new_sender()
    start_check(stack, sender)
    say(stack, sender, "thailand")
    replies = say(stack, sender, "yes it is")
    assert texts(replies) == [text("utter_ask_sc_debt")]
    replies = say(stack, sender, "no")
    assert texts(replies) == [text("utter_ask_sc_documents")]


def test_a_message_that_is_no_answer_is_answered_and_the_question_asked_again(stack):
    sender = new_sender()
    start_check(stack, sender)
    say(stack, sender, '/inform{"country":"KH"}')
    replies = say(stack, sender, "what is the weather tomorrow")
    assert texts(replies) == [text("utter_out_of_scope"), text("utter_check_use_buttons"),
                              text("utter_ask_sc_deception")]
    replies = say(stack, sender, "/skip_question")
    assert texts(replies) == [text("utter_ask_sc_debt")]


@pytest.mark.parametrize("language,message", [
    ("en", "they lock us in at night and the boss took my phone"),
    ("km", "ថៅកែចាក់សោទ្វារ មិនឲ្យខ្ញុំចេញទេ"),
    ("th", "นายจ้างขังผมไว้ในห้อง ออกไปไม่ได้"),
])
def test_danger_in_the_middle_of_the_check_hands_off_at_once(stack, redis_client, language, message):
    sender = new_sender()
    start_check(stack, sender)
    say(stack, sender, '/inform{"country":"TH"}')
    replies = say(stack, sender, message)
    got = texts(replies)
    assert got[0].startswith(text("utter_danger", language))
    assert got[1] == text("utter_handoff_urgent", language)
    case_id = redis_client.get(cases.open_case_key(sender))
    case = cases.Case.from_redis(redis_client.hgetall(cases.case_key(case_id)))
    assert case.urgency == cases.URGENT and case.reason == "danger"
    assert any(m["text"] == message for m in case.last_messages)
    # The check is over: the next message is not taken as an answer.
    assert texts(say(stack, sender, "/affirm")) == [text("utter_anything_else", language)]


def test_asking_for_a_person_opens_one_normal_case(stack, redis_client):
    sender = new_sender()
    say(stack, sender, "i want to talk to a real person")
    replies = say(stack, sender, "/request_human")
    assert texts(replies) == [text("utter_handoff_requested")]
    entries = [e for e in redis_client.xrange(cases.STREAM)
               if redis_client.hget(cases.case_key(e[1]["case"]), "sender") == sender]
    assert len(entries) == 1
