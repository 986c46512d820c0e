"""The real stack for end-to-end tests: our own Redis, the action server, Rasa with the
trained model. Started once per test session on free ports; logs go to results/logs.
The Telegram bot runs for real (`python -m bot`) against our fake Bot API."""
import itertools
import random
from pathlib import Path

import httpx
import pytest
import redis

from mitra import keys
from scripts.stack import Stack, free_port
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.updates import group_chat

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def stack():
    redis_port = free_port()
    stack = Stack(
        redis_url=f"redis://127.0.0.1:{redis_port}/0",
        rasa_port=free_port(),
        action_port=free_port(),
        log_dir=ROOT / "results" / "logs",
    )
    stack.start()
    yield stack
    stack.stop()


@pytest.fixture(scope="session")
def redis_client(stack):
    return redis.Redis.from_url(stack.redis_url, decode_responses=True)


# -- The Telegram bot against our fake Bot API (tests/test_bot_*.py) ----------------------

BOT_TOKEN = "123456:TEST-token"
ID_KEY = "test-id-key"
STAFF_CHAT_ID = -1001000000001
ADMIN_CHAT_ID = -1001000000002
# Low enough that a test can reach it, high enough for every other test's chat.
RATE_LIMIT = 12
BOT_ENV = {
    "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
    "TELEGRAM_STAFF_CHAT_ID": str(STAFF_CHAT_ID),
    "TELEGRAM_ADMIN_CHAT_ID": str(ADMIN_CHAT_ID),
    "TELEGRAM_WEBHOOK_URL": "",
    "MITRA_ID_KEY": ID_KEY,
    "MITRA_RATE_LIMIT": str(RATE_LIMIT),
    "MITRA_RATE_WINDOW_SECONDS": "60",
    "MITRA_RETRY_SECONDS": "1",
    # Not the default 9102: several test sessions may run on one machine.
    "MITRA_METRICS_PORT": str(free_port()),
}
_chat_ids = itertools.count(random.randint(10_000_000, 90_000_000))


def warm_up(stack) -> None:
    """One message per language straight to Rasa, so that the first test does not pay for
    Rasa's lazy loading (it would get the bot's "cannot answer right now" first)."""
    # A sender of its own per Rasa server: the scale-out test warms two at once, and Rasa's
    # Redis lock store issues tickets with a read-modify-write that is not atomic, so two
    # servers taking one conversation's messages at the same moment can lose a ticket and
    # wait out the lock's 60 s lifetime. (The bot never sends one person's messages
    # concurrently: its inbox lock holds the next until the last is answered.)
    sender = f"warm-up-{stack.rasa_port}"
    for text in ("សួស្តី", "สวัสดี", "sousdey", "hello"):
        httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook",
                   json={"sender": sender, "message": text}, timeout=60)


@pytest.fixture(scope="session")
def telegram():
    fake = FakeTelegram().start()
    fake.staff_chat_id = STAFF_CHAT_ID
    fake.add_chat(group_chat(STAFF_CHAT_ID, "Hotline staff"))
    fake.add_chat(group_chat(ADMIN_CHAT_ID, "Knowledge-base admins"))
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def bot(stack, telegram):
    warm_up(stack)
    stack.start_bot({**BOT_ENV, "TELEGRAM_API_URL": telegram.url,
                     "TELEGRAM_FILE_URL": telegram.file_url})
    telegram.wait_until(lambda: telegram.calls_of("getUpdates"), 60)
    yield stack.processes["bot"]
    stack.stop_process("bot")


@pytest.fixture
def person(bot, telegram):
    """A new person in a private chat with the bot: person(language_code=None).

    On a busy machine Rasa can take longer than the bot's patience (1.2 s), and the person
    first reads "cannot answer right now", then the answer. Tests that are not about that
    do not see the notice; tests about it ask for `sees_slow_notices=True`."""
    from bot.texts import cannot_answer_now
    from mitra.i18n import LANGUAGES

    def make(language_code=None, sees_slow_notices=False):
        me = telegram.person(next(_chat_ids), language_code)
        if not sees_slow_notices:
            me.hidden = {cannot_answer_now(language) for language in LANGUAGES}
        return me
    return make


def sender_of(person) -> str:
    return keys.sender_id(person.chat_id, key=ID_KEY)


@pytest.fixture
def staff_member(telegram):
    """A member of the staff group (or, with member=False, someone who is not)."""
    from tests.fake_telegram.staff import StaffMember

    def make(name="Dara", member=True):
        return StaffMember(telegram, STAFF_CHAT_ID, next(_chat_ids), name, member)
    return make


def tracker_of(redis_client, sender: str) -> dict:
    """A person's Rasa tracker as stored in Redis (encrypted at rest: mitra/crypto.py)."""
    import json

    from mitra import crypto
    raw = redis_client.get(keys.tracker(sender))
    return json.loads(crypto.decrypt(raw)) if raw else {"events": []}
