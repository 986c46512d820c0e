"""When Rasa is down or stuck, the person still hears from the bot within two seconds, in
their language, with the emergency numbers; their message is answered once Rasa is back."""
import os
import re
import signal
import time
from pathlib import Path

from mitra.responses import RESPONSES
from bot import texts
from mitra.i18n import gettext

PEOPLE = [("km", "សួស្តីបង"), ("th", "สวัสดีครับ"), ("km", "sousdey bong"), ("en", "hello there")]


def process_tree(pid):
    """The process and all its descendants (Rasa may run helpers of its own)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = (task / "children").read_text().split()
        for child in children:
            found += process_tree(int(child))
    return found


def greet(language):
    return gettext(language, RESPONSES["utter_greet"].text)


def write_and_time_first_answer(person, telegram, text):
    before = time.monotonic()
    sent = person.say(text)
    first = person.wait_replies(sent, timeout=10)[0]
    call = next(c for c in telegram.calls_of("sendMessage", chat_id=person.chat_id)
                if c.params["text"] == first["text"])
    return sent, first, call.at - before


def test_rasa_down_gets_an_answer_in_time_and_the_message_answered_later(stack, person, telegram):
    people = [(person(sees_slow_notices=True), language, text) for language, text in PEOPLE]
    stack.stop_process("rasa")
    try:
        for me, language, text in people:
            sent, first, seconds = write_and_time_first_answer(me, telegram, text)
            assert first["text"] == texts.cannot_answer_now(language)
            assert {"117", "191", "1300"} <= set(re.findall(r"\d+", first["text"]))
            assert seconds < 2.0
            me.sent = sent
    finally:
        stack.start_rasa()
    for me, language, _ in people:
        replies = me.wait_replies(me.sent, count=2, timeout=120)
        assert [r["text"] for r in replies[:2]] == [texts.cannot_answer_now(language), greet(language)]


def test_rasa_stuck_gets_an_answer_in_time_and_the_real_one_after(stack, person, telegram):
    me = person(sees_slow_notices=True)
    tree = process_tree(stack.processes["rasa"].pid)
    for pid in tree:
        os.kill(pid, signal.SIGSTOP)
    try:
        sent, first, seconds = write_and_time_first_answer(me, telegram, "สวัสดีครับ")
        assert first["text"] == texts.cannot_answer_now("th")
        assert seconds < 2.0
        # While the answer is slow in coming, the person sees "typing…".
        assert telegram.calls_of("sendChatAction", chat_id=me.chat_id, action="typing")
    finally:
        for pid in tree:
            os.kill(pid, signal.SIGCONT)
    replies = me.wait_replies(sent, count=2, timeout=60)
    assert [r["text"] for r in replies] == [texts.cannot_answer_now("th"), greet("th")]


def test_messages_during_an_outage_are_answered_in_order(stack, person):
    me = person(sees_slow_notices=True)
    stack.stop_process("rasa")
    try:
        first = me.say("hello there")
        me.say("thank you very much")
        me.send("sticker")
        me.wait_replies(first, count=1, timeout=10)
    finally:
        stack.start_rasa()
    replies = me.wait_replies(first, count=4, timeout=120)
    assert [r["text"] for r in replies] == [
        texts.cannot_answer_now("en"),
        greet("en"),
        gettext("en", RESPONSES["utter_thanks"].text),
        texts.media("sticker", "en"),
    ]
