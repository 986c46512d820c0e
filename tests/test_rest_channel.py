"""End to end through Rasa's REST channel: real Rasa with the trained model, the real
action server (NLG and slot validation) and real Redis. Replies are compared with what
the catalogs say in each language, so the tests hold whatever the wording."""
import itertools
import re
import uuid

import httpx
import pytest

from mitra.nlg import render
from mitra.responses import RESPONSES
from mitra.i18n import gettext

SCRIPT = {"km": r"[\u1780-\u17ff]", "th": r"[\u0e00-\u0e7f]"}
_ids = itertools.count()


def new_sender():
    return f"test-{next(_ids)}-{uuid.uuid4().hex[:8]}"


def say(stack, sender, text):
    reply = httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook",
                       json={"sender": sender, "message": text}, timeout=30)
    reply.raise_for_status()
    return reply.json()


def text_of(name, language):
    return gettext(language, RESPONSES[name].text)


@pytest.mark.parametrize("language,greeting", [
    ("km", "សួស្តីបង"),
    ("th", "สวัสดีครับ"),
    ("km", "sousdey bong"),
    ("en", "hello there"),
])
def test_greeting_is_answered_in_its_own_language(stack, language, greeting):
    replies = say(stack, new_sender(), greeting)
    assert replies[0]["text"] == text_of("utter_greet", language)
    titles = [b["title"] for b in replies[0]["buttons"]]
    assert gettext(language, "Talk to a person") in titles


@pytest.mark.parametrize("language,message", [
    ("km", "ថៅកែចាក់សោទ្វារ មិនឲ្យខ្ញុំចេញទេ"),
    ("th", "นายจ้างขังผมไว้ในห้อง ออกไปไม่ได้"),
    ("km", "boss chak sor knhom nov knong bantob min oy chenh"),
    ("en", "they locked us in the room and took our phones"),
])
def test_danger_gets_emergency_numbers_in_its_language(stack, language, message):
    replies = say(stack, new_sender(), message)
    assert replies[0]["text"].startswith(text_of("utter_danger", language))
    assert "117" in replies[0]["text"] and "191" in replies[0]["text"]
    # Rasa's REST channel sends the card as its own entry after the text.
    cards = [r["custom"] for r in replies if r.get("custom", {}).get("type") == "emergency_numbers"]
    assert {"117", "191"} <= {n["number"] for n in cards[0]["numbers"]}


def test_explicit_choice_wins_until_the_person_switches_script(stack):
    sender = new_sender()
    assert say(stack, sender, "hello")[0]["text"] == text_of("utter_greet", "en")
    switched = say(stack, sender, '/switch_language{"requested_language":"km"}')
    assert switched[0]["text"] == text_of("utter_language_switched", "km")
    # English text after choosing Khmer: still Khmer.
    assert say(stack, sender, "thank you very much")[0]["text"] == text_of("utter_thanks", "km")
    # Writing Thai is a switch.
    assert say(stack, sender, "ขอบคุณมากครับ")[0]["text"] == text_of("utter_thanks", "th")


def test_asking_for_a_language_in_words(stack):
    sender = new_sender()
    replies = say(stack, sender, "can you speak thai please")
    assert replies[0]["text"] == text_of("utter_language_switched", "th")
    assert say(stack, sender, "hi")[0]["text"] == text_of("utter_greet", "th")


def test_language_follows_the_person(stack):
    sender = new_sender()
    assert re.search(SCRIPT["th"], say(stack, sender, "สวัสดีค่ะ")[0]["text"])
    assert re.search(SCRIPT["km"], say(stack, sender, "អរគុណច្រើនបង")[0]["text"])


def test_privacy_answer_states_retention(stack):
    replies = say(stack, new_sender(), "is this confidential? will my boss know?")
    assert replies[0]["text"] == text_of("utter_privacy", "en").format(days=30)


def test_conversation_is_kept_in_redis_with_prefix_and_expiry(stack, redis_client):
    sender = new_sender()
    say(stack, sender, "hello")
    key = f"mitra:tracker:{sender}"
    assert redis_client.exists(key)
    ttl = redis_client.ttl(key)
    assert 29 * 86400 < ttl <= 30 * 86400
    assert not [k for k in redis_client.keys("*") if not k.startswith("mitra:")]


# Empty text never reaches Rasa: the bot answers it itself (tests/test_bot_hostile.py).
@pytest.mark.parametrize("text", ["🙏", "<b>hi</b>", "a" * 4000, "\u200f\u202e", "?!"])
def test_odd_input_gets_an_answer(stack, text):
    replies = say(stack, new_sender(), text)
    assert replies and replies[0].get("text")
