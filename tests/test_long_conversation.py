"""A long conversation through the real stack (Rasa with the trained model, the action
server, Redis): the tracker store keeps it short (nlu/tracker_store.py) and the person
notices nothing. The language carries over, a safety check started after a hundred turns
runs to its result while the tracker is compacted around it, a pause for staff holds while
the tracker is compacted, and what was said long ago is no longer stored."""
import re

import httpx

from mitra.responses import RESPONSES
from mitra import cases
from mitra.i18n import gettext
from tests.conftest import tracker_of
from tests.test_rest_channel import SCRIPT, new_sender, say

MAX_EVENTS = 80  # nlu/tracker_store.py's default
CHATTER = ["ขอบคุณครับ", "นายจ้างไม่จ่ายค่าล่วงเวลา ทำยังไงดีครับ", "สวัสดีครับ"]
# High risk: deception, documents kept, cannot leave (tests/test_safety_flow.py).
HIGH_RISK = ['/inform{"country":"TH"}', "/affirm", "/skip_question", "/affirm", "/deny",
             "/affirm", "/deny", "/deny", "/deny", "/affirm", "/deny", "/deny", "/deny",
             "/skip_question"]


def thai(text):
    return gettext("th", RESPONSES[text].text)


def texts(replies):
    return [r["text"] for r in replies if r.get("text")]


def events_of(redis_client, sender):
    return tracker_of(redis_client, sender)["events"]


def rasa_event(stack, sender, event):
    response = httpx.post(f"{stack.rasa_url}/conversations/{sender}/tracker/events",
                          params={"token": stack.rasa_auth_token}, json={"event": event},
                          timeout=30)
    response.raise_for_status()


def test_a_long_conversation_stays_short_and_goes_on_as_before(stack, redis_client):
    sender = new_sender()
    assert texts(say(stack, sender, "สวัสดีครับ ผมทำงานอยู่ที่ระยอง"))[0] == thai("utter_greet")
    sizes = []
    for turn in range(110):
        replies = texts(say(stack, sender, CHATTER[turn % len(CHATTER)]))
        assert replies and all(re.search(SCRIPT["th"], text) for text in replies), replies
        sizes.append(len(events_of(redis_client, sender)))
    assert max(sizes) <= MAX_EVENTS + 10  # a turn's events on top of the limit
    stored = " ".join(str(e.get("text")) for e in events_of(redis_client, sender))
    assert "ระยอง" not in stored

    # The safety check, after 110 turns; compacted while it runs.
    replies = texts(say(stack, sender, "/start_safety_check"))
    assert replies[:2] == [thai("utter_check_intro"), thai("utter_ask_sc_country")]
    for answer in HIGH_RISK:
        replies = texts(say(stack, sender, answer))
    # Every answer counted.
    assert replies == [thai("utter_check_high"), thai("utter_handoff_urgent")]
    case_id = redis_client.get(cases.open_case_key(sender))
    case = cases.Case.from_redis(redis_client.hgetall(cases.case_key(case_id)))
    assert case.language == "th" and case.country == "TH"
    assert "retention_of_documents" in case.indicators
    assert case.last_messages  # the hand-off's transcript comes from the kept turns

    # Staff take over: Rasa is paused and stays paused while the tracker is compacted.
    rasa_event(stack, sender, "pause")
    for turn in range(30):
        assert say(stack, sender, CHATTER[turn % len(CHATTER)]) == []
    assert len(events_of(redis_client, sender)) <= MAX_EVENTS + 10
    rasa_event(stack, sender, "resume")
    assert texts(say(stack, sender, "ขอบคุณครับ")) == [thai("utter_thanks")]
