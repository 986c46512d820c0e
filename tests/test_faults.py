"""Faults while people are writing and a hand-off is in flight: each person still hears
from the bot in time (with the emergency numbers), nothing is lost, the case reaches staff
exactly once, and service resumes by itself."""
import re
import time

from bot import texts
from mitra import keys
from tests.conftest import STAFF_CHAT_ID, sender_of


def cards_of(telegram, case_id):
    return [c for c in telegram.calls_of("sendMessage", chat_id=STAFF_CHAT_ID)
            if f"#{case_id}" in c.params["text"] and "case:claim:" in str(c.params.get("reply_markup"))
            and not c.params["text"].startswith("⏰")]


def test_action_server_down_during_an_urgent_message(stack, person, telegram, redis_client):
    me = person(sees_slow_notices=True)
    stack.stop_process("actions")
    try:
        sent = me.say("please help, the boss locked us in the warehouse and took our phones")
        first = me.wait_replies(sent, timeout=10)[0]
        assert first["text"] == texts.cannot_answer_now("en")
        assert {"117", "191", "1300"} <= set(re.findall(r"\d+", first["text"]))
        time.sleep(8)  # Rasa fails on the message several times while the actions are away
    finally:
        stack.start_actions()
    replies = me.wait_replies(sent, count=3, timeout=120)
    assert "117" in replies[1]["text"]  # the real answer: emergency numbers first
    case_id = telegram.wait_until(lambda: redis_client.get(keys.open_case(sender_of(me))), 60)
    telegram.wait_until(lambda: cards_of(telegram, case_id), 60)
    time.sleep(3)
    assert len(cards_of(telegram, case_id)) == 1


def test_bot_restart_while_people_write_loses_no_message(stack, bot, person, telegram):
    from tests.conftest import BOT_ENV
    people = [person() for _ in range(3)]
    stack.stop_process("bot")
    sent = [me.say("hello there") for me in people]
    stack.start_bot({**BOT_ENV, "TELEGRAM_API_URL": telegram.url,
                     "TELEGRAM_FILE_URL": telegram.file_url})
    for me, message_id in zip(people, sent):
        assert me.wait_replies(message_id, timeout=120)
