"""Scale-out, proven locally: two bot replicas in webhook mode, two Rasa servers and two
action servers, each pair behind a round-robin proxy (tests/round_robin.py), against one
Redis. Several people write several messages each without waiting for answers; every
message must get its own reply, in order, once, and each person's tracker must hold their
messages in order, once.

How the parts are wired, and why:
- Telegram (our fake) delivers updates to one URL, a proxy over both bots' webhook
  servers, as Telegram would to a load balancer. It sends one update at a time and waits
  for each answer; Telegram does that per chat.
- Both bots reach Rasa through one proxy over both Rasa servers (RASA_URL), so one
  person's messages are spread over both Rasa servers: only the shared tracker store
  and lock store keep the conversation whole.
- Both Rasa servers call the action server through one proxy over both action servers,
  rather than each its own: consecutive calls of one turn (slot validation, then the
  knowledge base's or the safety check's actions) then land on different action servers,
  which shows that they keep nothing between calls.
- All processes share one Redis and the same secrets (RASA_AUTH_TOKEN,
  ACTION_SERVER_TOKEN, MITRA_ID_KEY, MITRA_DATA_KEYS), as replicas of a deployment do. One
  bot reaches Redis over a slower link (tests/slow_link.py): a slower replica must not let a
  person's next message overtake the one it is still handling.
"""
from __future__ import annotations

import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List
from urllib.parse import urlparse

import pytest
import redis
from cryptography.fernet import Fernet

from mitra.responses import RESPONSES
from bot import texts
from mitra import keys
from mitra.config import settings
from mitra.i18n import LANGUAGES, gettext
from scripts.stack import Stack, free_port, wait_http
from tests.conftest import ADMIN_CHAT_ID, BOT_ENV, STAFF_CHAT_ID, sender_of, tracker_of, warm_up
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.updates import group_chat
from tests.round_robin import RoundRobin
from tests.slow_link import SlowLink

LOGS = Path(__file__).resolve().parents[1] / "results" / "logs" / "scale-out"
SECRET = "scale-out-webhook-secret"
WEBHOOK_PATH = "/telegram-updates"
STICKER = object()  # in a script: the person sends a sticker (the bot answers it itself)
# Each step has its own reply, so that a lost, repeated or swapped reply shows.
# Asking for one's own language runs a custom action (action_switch_language), so that the
# action servers have work: Rasa calls them only for custom actions.
SCRIPTS = {
    "km": ["សួស្តីបង", "អ្នកជានរណា", STICKER, "សូមឆ្លើយជាភាសាខ្មែរ", "ឥតគិតលុយទេ",
           "អរគុណច្រើន", "លាហើយ"],
    "th": ["สวัสดีครับ", "คุณเป็นใคร", STICKER, "ตอบเป็นภาษาไทยได้ไหม", "ฟรีไหม", "ขอบคุณครับ",
           "บายครับ"],
    "en": ["hello", "who are you", STICKER, "please answer in English", "is it free",
           "thank you", "bye"],
}
REPLIES = ["utter_greet", "utter_iamabot", STICKER, "utter_language_switched", "utter_free",
           "utter_thanks", "utter_goodbye"]
TELEGRAM_LANGUAGE = {"km": None, "th": "th", "en": "en"}  # Telegram has no Khmer interface
# An odd number of people: updates reach the bots in turn, so each person's next message
# goes to the other bot replica (with an even number, everyone would stay on one).
PEOPLE = ["km", "th", "en", "km", "th"]
# Media the bot answers by itself, each kind with its own text.
MEDIA = [("voice", "voice"), ("photo", "picture"), ("sticker", "sticker"),
         ("document", "document"), ("contact", "contact")]
# Bot 1 reaches Redis over a link this much slower each way: replicas are not equally fast.
SLOW_REDIS_SECONDS = 0.005
REPLY_TIMEOUT = 180  # a loaded two-core machine; the test's speed is not what is checked


@dataclass
class ScaleOut:
    telegram: FakeTelegram
    redis: redis.Redis
    bots: RoundRobin
    rasa: RoundRobin
    actions: RoundRobin
    parts: Dict[str, Stack]


def _reply_text(step, language: str) -> str:
    if step is STICKER:
        return texts.media("sticker", language)
    return gettext(language, RESPONSES[step].text, days=settings.tracker_expiry_days)


def _bot_env(telegram: FakeTelegram, rasa: RoundRobin, redis_url: str, webhook_url: str,
             port: int, replica: str) -> Dict[str, str]:
    return {**BOT_ENV, "REDIS_URL": redis_url,
            "TELEGRAM_API_URL": telegram.url, "TELEGRAM_FILE_URL": telegram.file_url,
            "TELEGRAM_WEBHOOK_URL": webhook_url, "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1", "TELEGRAM_WEBHOOK_PORT": str(port),
            "RASA_URL": rasa.url, "MITRA_REPLICA_ID": replica,
            "MITRA_METRICS_PORT": str(free_port())}  # two bots on one host


@pytest.fixture(scope="module")
def scale_out():
    parts: Dict[str, Stack] = {}
    proxies: List[RoundRobin] = []
    links: List[SlowLink] = []
    telegram = FakeTelegram().start()
    with pytest.MonkeyPatch.context() as env:
        # Data keys of this deployment only: every process gets them from the environment,
        # and the test reads the trackers with them.
        env.setenv("MITRA_DATA_KEYS", Fernet.generate_key().decode())
        redis_url = f"redis://127.0.0.1:{free_port()}/0"
        shared = dict(rasa_auth_token=secrets.token_urlsafe(24),
                      action_token=secrets.token_urlsafe(24))

        def part(name: str, **ports: int) -> Stack:
            parts[name] = Stack(redis_url=redis_url, log_dir=LOGS / name, **shared, **ports)
            return parts[name]

        def proxy(upstreams: List[str]) -> RoundRobin:
            proxies.append(RoundRobin(upstreams).start())
            return proxies[-1]

        try:
            part("redis").start_redis_if_needed()
            links.append(SlowLink(urlparse(redis_url).port, SLOW_REDIS_SECONDS).start())
            bot_redis = [f"redis://127.0.0.1:{links[0].port}/0", redis_url]
            actions = [part(f"actions-{i}", action_port=free_port()) for i in (1, 2)]
            action_proxy = proxy([a.action_url for a in actions])
            rasas = [part(f"rasa-{i}", rasa_port=free_port(), action_port=action_proxy.port)
                     for i in (1, 2)]
            rasa_proxy = proxy([r.rasa_url for r in rasas])
            bot_ports = [free_port(), free_port()]
            bot_proxy = proxy([f"http://127.0.0.1:{p}" for p in bot_ports])
            telegram.staff_chat_id = STAFF_CHAT_ID
            telegram.add_chat(group_chat(STAFF_CHAT_ID, "Hotline staff"))
            telegram.add_chat(group_chat(ADMIN_CHAT_ID, "Knowledge-base admins"))
            # Rasa loads its model for a minute or more: everything starts at once.
            with ThreadPoolExecutor(4) as pool:
                started = [pool.submit(s.start_actions) for s in actions]
                started += [pool.submit(s.start_rasa) for s in rasas]
                for i, (port, url) in enumerate(zip(bot_ports, bot_redis), 1):
                    part(f"bot-{i}").start_bot(_bot_env(
                        telegram, rasa_proxy, url, bot_proxy.url + WEBHOOK_PATH, port, f"bot-{i}"))
                for future in started:
                    future.result()
                # Rasa loads parts of its pipeline on the first message of each language.
                for future in [pool.submit(warm_up, r) for r in rasas]:
                    future.result()
            telegram.wait_until(lambda: telegram.webhook, 60)
            for port in bot_ports:
                wait_http(f"http://127.0.0.1:{port}{WEBHOOK_PATH}", 60)
            yield ScaleOut(telegram, redis.Redis.from_url(redis_url, decode_responses=True),
                           bot_proxy, rasa_proxy, action_proxy, parts)
        finally:
            # Bots first (they call Rasa), Redis last; each process by its own handle.
            for name in reversed(list(parts)):
                parts[name].stop()
            for p in proxies + links:
                p.stop()
            telegram.stop()


def _everyone_answered(client: redis.Redis) -> bool:
    """No message waits in any inbox, and no bot task is still answering anyone."""
    return client.zcard(keys.PENDING) == 0 and not list(client.scan_iter("mitra:busy:*"))


def _wait_until_quiet(client: redis.Redis, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not _everyone_answered(client):
        assert time.monotonic() < deadline, "messages still wait in Redis"
        time.sleep(0.2)


def _person(out: ScaleOut, chat_id: int, language: str):
    me = out.telegram.person(chat_id, TELEGRAM_LANGUAGE[language])
    # Rasa may take longer than the bot's patience (1.2 s) on a busy machine: the person
    # then also reads "cannot answer right now", which is not what this test is about.
    me.hidden = {texts.cannot_answer_now(lang) for lang in LANGUAGES}
    return me


def _say(me, step) -> None:
    if step is STICKER:
        me.send("sticker")
    else:
        me.say(step)


def _user_texts(client: redis.Redis, me) -> List[str]:
    events = tracker_of(client, sender_of(me))["events"]
    return [e["text"] for e in events if e["event"] == "user"]


def test_interleaved_messages_of_many_people_are_answered_in_order_once(scale_out):
    out = scale_out
    chat_ids = iter(range(81_000_000, 81_001_000))
    people = [(language, _person(out, next(chat_ids), language)) for language in PEOPLE]
    # Nobody waits for an answer: step by step, everyone writes, round after round.
    for step in range(len(REPLIES)):
        for language, me in people:
            _say(me, SCRIPTS[language][step])

    for language, me in people:
        me.wait_replies(0, count=len(REPLIES), timeout=REPLY_TIMEOUT)
    _wait_until_quiet(out.redis)  # then also no late duplicate can be on its way

    wrong = {}
    for language, me in people:
        expected = [_reply_text(step, language) for step in REPLIES]
        got = [m["text"] for m in me.bot_messages()]
        if got != expected:
            wrong[f"{language} {me.chat_id}"] = got
    assert not wrong, f"replies lost, repeated or out of order: {wrong}"

    for language, me in people:
        said = [s for s in SCRIPTS[language] if s is not STICKER]
        assert _user_texts(out.redis, me) == said, f"tracker of {language} {me.chat_id}"

    # Every replica took part: both bots got updates, both Rasa servers and both action
    # servers answered requests, and both bots joined the hand-off consumer group.
    for name, proxy in (("bots", out.bots), ("rasa", out.rasa), ("actions", out.actions)):
        assert all(proxy.served), f"{name}: requests per replica {proxy.served}"
        assert not any(proxy.failed), f"{name}: failed requests per replica {proxy.failed}"
    consumers = out.redis.xinfo_consumers(keys.HANDOFF_STREAM, keys.HANDOFF_GROUP)
    assert {c["name"] for c in consumers} == {"bot-1", "bot-2"}


def test_a_burst_of_media_from_many_people_keeps_each_persons_order(scale_out):
    """Media are answered by the bot alone, so updates follow each other quickly: each
    update must be in the person's inbox before the next one reaches the other replica."""
    out = scale_out
    chat_ids = iter(range(83_000_000, 83_001_000))
    people = [(language, _person(out, next(chat_ids), language)) for language in PEOPLE * 2]
    people.pop()  # an odd number, see PEOPLE
    for kind, _ in MEDIA:
        for language, me in people:
            me.send(kind)
    for language, me in people:
        me.wait_replies(0, count=len(MEDIA), timeout=REPLY_TIMEOUT)
    _wait_until_quiet(out.redis)
    wrong = {}
    for language, me in people:
        language = TELEGRAM_LANGUAGE[language] or settings.default_language
        expected = [texts.media(kind, language) for _, kind in MEDIA]
        got = [m["text"] for m in me.bot_messages()]
        if got != expected:
            wrong[f"{language} {me.chat_id}"] = [expected.index(t) if t in expected else t
                                                 for t in got]
    assert not wrong, f"replies (by position sent) lost, repeated or out of order: {wrong}"


def test_one_rasa_server_and_one_bot_down_the_others_answer(scale_out):
    out = scale_out
    out.parts["rasa-2"].stop_process("rasa")
    out.parts["bot-2"].stop_process("bot")
    refused = list(out.rasa.failed), list(out.bots.failed)
    me = _person(out, 82_000_001, "en")
    for step in ("hello", "who are you", "thank you"):
        me.say(step)
    me.wait_replies(0, count=3, timeout=REPLY_TIMEOUT)
    _wait_until_quiet(out.redis)
    assert [m["text"] for m in me.bot_messages()] == [
        _reply_text(name, "en") for name in ("utter_greet", "utter_iamabot", "utter_thanks")]
    assert _user_texts(out.redis, me) == ["hello", "who are you", "thank you"]
    # The stopped ones were still asked (the proxy does not know they are down): the
    # bot's retries and Telegram's redelivery brought the messages to the others.
    assert out.rasa.failed[1] > refused[0][1] and out.bots.failed[1] > refused[1][1]
