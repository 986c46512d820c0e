"""The hand-off queue survives what production throws at it: cases created while the bot
is down, a bot restart, Redis killed and restarted with its append-only file; and urgent
cases nobody claims are announced again. Nothing lost, nothing posted twice.

These tests run their own Redis (append-only, on another port) and their own bot against
a staff group with topics; cases are made by the same library the action server uses
(`mitra.cases`), so no Rasa is needed here (tests/test_handoff.py covers that path)."""
import time
from pathlib import Path

import pytest
import redis

from bot import staff_texts as t
from mitra import cases, keys
from mitra.config import settings
from mitra.i18n import gettext
from scripts.redis_server import RedisServer
from scripts.stack import Stack, free_port
from tests.conftest import BOT_ENV
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.staff import StaffMember, group_messages

ROOT = Path(__file__).resolve().parents[1]
FORUM_ID = -1002000000002
STAFF = settings.staff_language
REANNOUNCE_SECONDS = 2


@pytest.fixture(scope="module")
def own_redis():
    """With its append-only file on, so a restart keeps what was written."""
    server = RedisServer(appendonly=True).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def forum():
    fake = FakeTelegram().start()
    fake.add_chat({"id": FORUM_ID, "type": "supergroup", "title": "Hotline", "is_forum": True})
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def bot_runner(own_redis, forum):
    stack = Stack(redis_url=own_redis.url, log_dir=ROOT / "results" / "logs")
    env = {**BOT_ENV, "TELEGRAM_API_URL": forum.url, "TELEGRAM_STAFF_CHAT_ID": str(FORUM_ID),
           "MITRA_REANNOUNCE_SECONDS": str(REANNOUNCE_SECONDS),
           "RASA_URL": f"http://127.0.0.1:{free_port()}"}

    class Runner:
        def start(self):
            calls = len(forum.calls_of("getUpdates"))
            stack.start_bot(env, name="bot-durable")
            forum.wait_until(lambda: len(forum.calls_of("getUpdates")) > calls, 60)

        def stop(self):
            stack.stop_process("bot-durable")

    runner = Runner()
    yield runner
    runner.stop()


def new_case(url, urgency=cases.URGENT):
    client = redis.Redis.from_url(url)
    case = cases.Case(id="", sender=f"tg-test-{time.monotonic_ns()}", urgency=urgency,
                      reason="danger", language="th", country="TH",
                      last_messages=[{"from": "person", "text": "ช่วยด้วย"}])
    return cases.open_or_escalate(client, case).id


def cards_for(forum, case_id):
    title = gettext(STAFF, t.CARD_TITLE, number=f"#{case_id}", urgency="").split("·")[0]
    return [c for c in forum.calls_of("sendMessage", chat_id=FORUM_ID)
            if c.params["text"].startswith(title)]


def wait_card(forum, case_id, timeout=30):
    return forum.wait_until(lambda: cards_for(forum, case_id), timeout)


def test_a_case_made_while_the_bot_is_down_arrives_once_in_its_own_topic(own_redis, forum, bot_runner):
    case_id = new_case(own_redis.url)
    bot_runner.start()
    [card] = wait_card(forum, case_id)
    topic = card.params["message_thread_id"]
    assert forum.topics[FORUM_ID][topic] == f"🔴 #{case_id}"
    # A restart delivers nothing again.
    bot_runner.stop()
    bot_runner.start()
    later = new_case(own_redis.url)
    wait_card(forum, later)
    assert len(cards_for(forum, case_id)) == 1
    assert len(forum.calls_of("createForumTopic", name=f"🔴 #{case_id}")) == 1


def test_cases_survive_a_redis_restart(own_redis, forum, bot_runner):
    bot_runner.stop()
    waiting = new_case(own_redis.url)  # written, then Redis dies before any bot read it
    own_redis.kill()
    own_redis.start()
    bot_runner.start()
    wait_card(forum, waiting)
    # Redis dies again under a running bot; the bot reconnects by itself.
    own_redis.kill()
    time.sleep(1.5)
    own_redis.start()
    after = new_case(own_redis.url)
    wait_card(forum, after, timeout=60)
    time.sleep(2)  # time enough for any double delivery to show
    assert len(cards_for(forum, waiting)) == 1
    assert len(cards_for(forum, after)) == 1
    client = redis.Redis.from_url(own_redis.url)
    pending = client.xpending(keys.HANDOFF_STREAM, keys.HANDOFF_GROUP)
    assert pending["pending"] == 0, client.xpending_range(keys.HANDOFF_STREAM, keys.HANDOFF_GROUP, "-", "+", 10)


def test_an_unclaimed_urgent_case_is_announced_again_until_claimed(own_redis, forum, bot_runner):
    case_id = new_case(own_redis.url)
    wait_card(forum, case_id)

    def reminders():
        return [m for m in group_messages(forum, FORUM_ID)
                if m["text"].startswith("⏰") and f"#{case_id}" in m["text"]]
    found = forum.wait_until(lambda: len(reminders()) >= 2 and reminders(), 6 * REANNOUNCE_SECONDS + 10)
    # In the group's main chat, where everyone sees it, with a Claim button of its own.
    assert "message_thread_id" not in found[0]
    staff = StaffMember(forum, FORUM_ID, 5550001, "Dara")
    staff.answer_to(staff.press(found[-1], gettext(STAFF, t.CLAIM)))
    assert redis.Redis.from_url(own_redis.url, decode_responses=True).hget(
        keys.case(case_id), "claimed_by") == "5550001"
    count = len(reminders())
    time.sleep(3 * REANNOUNCE_SECONDS)
    assert len(reminders()) == count
    # An ordinary case is never announced again.
    ordinary = new_case(own_redis.url, urgency=cases.NORMAL)
    wait_card(forum, ordinary)
    time.sleep(3 * REANNOUNCE_SECONDS)
    assert not [m for m in group_messages(forum, FORUM_ID)
                if m["text"].startswith("⏰") and f"#{ordinary}" in m["text"]]


def test_a_broken_case_does_not_hold_up_the_others(own_redis, forum, bot_runner):
    client = redis.Redis.from_url(own_redis.url)
    client.hset(keys.case("99999"), mapping={"id": "99999", "last_messages": "{not json",
                                             "status": "open"})
    client.xadd(keys.HANDOFF_STREAM, {"case": "99999", "event": "new"})
    good = new_case(own_redis.url)
    wait_card(forum, good)


def test_a_person_is_answered_while_redis_is_down_and_nothing_is_lost_after(own_redis, forum,
                                                                            bot_runner):
    from bot import texts
    from mitra.keys import PENDING, sender_id
    me = forum.person(81000001, "en")
    own_redis.kill()
    try:
        sent = me.say("help me please")
        reply = me.wait_replies(sent, timeout=15)[0]
        assert reply["text"] == texts.cannot_answer_now("en")  # with the emergency numbers
    finally:
        own_redis.start()
    # Redis is back: the next message is kept until Rasa (not running here) can answer it.
    me.say("are you there?")
    client = redis.Redis.from_url(own_redis.url, decode_responses=True)
    sender = sender_id(me.chat_id, key=BOT_ENV["MITRA_ID_KEY"])
    forum.wait_until(lambda: client.zscore(PENDING, sender) is not None, 30)
