"""A person's private chat through python-telegram-bot, our fake Bot API, and the real
Rasa, action server and Redis: greetings, commands, buttons, order of replies. Replies
are compared with the catalogs in each language, so the tests hold whatever the wording."""

import pytest

from mitra.responses import RESPONSES
from bot import commands, texts
from mitra.config import settings
from mitra.i18n import gettext
from tests.conftest import sender_of, tracker_of


def text_of(name, language):
    return gettext(language, RESPONSES[name].text, days=settings.tracker_expiry_days)


def titles(message):
    return [b["text"] for row in message["reply_markup"]["inline_keyboard"] for b in row]


def user_events(redis_client, person):
    events = tracker_of(redis_client, sender_of(person))["events"]
    return [e for e in events if e["event"] == "user"]


@pytest.mark.parametrize("language,greeting", [
    ("km", "សួស្តីបង"),
    ("th", "สวัสดีครับ"),
    ("km", "sousdey bong"),
    ("en", "hello there"),
])
def test_greeting_is_answered_in_its_own_language(person, language, greeting):
    me = person()
    sent = me.say(greeting)
    reply = me.wait_replies(sent)[0]
    assert reply["text"] == text_of("utter_greet", language)
    assert gettext(language, "Talk to a person") in titles(reply)


def test_start_welcomes_explains_privacy_and_offers_languages_in_three_messages(person):
    me = person()
    sent = me.say("/start")
    replies = me.wait_replies(sent, count=3)
    language = settings.default_language  # nothing is known about the person yet
    assert [r["text"] for r in replies] == [
        text_of("utter_welcome", language),
        text_of("utter_privacy_notice", language),
        text_of("utter_choose_language", language),
    ]
    assert titles(replies[2]) == ["ខ្មែរ", "ไทย", "English"]


def test_a_pressed_button_goes_to_rasa_as_its_payload(person, telegram, redis_client):
    me = person()
    choose = me.wait_replies(me.say("/language"))[0]
    assert choose["text"] == text_of("utter_choose_language", settings.default_language)
    me.press(choose, title="ไทย")
    [switched] = me.wait_replies(choose["message_id"])
    assert switched["text"] == text_of("utter_language_switched", "th")
    # The keyboard now shows the choice, and cannot be pressed into Rasa again.
    [pressed] = [m for m in telegram.transcript(me.chat_id) if m["message_id"] == choose["message_id"]]
    assert pressed["reply_markup"]["inline_keyboard"] == [
        [{"text": "✓ ไทย", "callback_data": "mitra:chosen"}]]
    assert user_events(redis_client, me)[-1]["text"] == '/switch_language{"requested_language":"th"}'
    # From now on the person reads Thai, also in what the bot says by itself.
    sent = me.send("voice")
    assert me.wait_replies(sent)[0]["text"] == texts.media("voice", "th")


def test_help_lists_topics_with_buttons(person):
    me = person()
    me.say("hello there")
    me.wait_replies(0)
    sent = me.say("/help")
    reply = me.wait_replies(sent)[0]
    assert reply["text"] == text_of("utter_help_topics", "en")
    assert gettext("en", "Talk to a person") in titles(reply)


def test_the_command_menu_is_described_in_each_language(telegram, bot):
    for language in ("km", "th", "en"):
        menu = telegram.commands[("all_private_chats", language)]
        assert menu == [c.to_dict() for c in commands.menu(language)]
    assert telegram.commands[("all_private_chats", "")] == telegram.commands[
        ("all_private_chats", settings.default_language)]


@pytest.mark.parametrize("text", [
    "/danger_now",
    '/switch_language{"requested_language":"th"}',
    "  /request_human",
    "\u200b/start_safety_check",
])
def test_typed_intents_never_reach_rasa_and_the_person_sees_the_commands(person, redis_client, text):
    me = person(language_code="en")
    sent = me.say(text)
    [reply] = me.wait_replies(sent)
    assert reply["text"] == commands.unknown_command_text("en")
    assert user_events(redis_client, me) == []


def test_replies_keep_the_order_of_the_messages(person):
    me = person()
    first = me.say("hello there")
    me.say("thank you very much")
    me.send("photo")
    me.say("goodbye")
    replies = me.wait_replies(first, count=4)
    assert [r["text"] for r in replies[:4]] == [
        text_of("utter_greet", "en"),
        text_of("utter_thanks", "en"),
        texts.media("picture", "en"),
        text_of("utter_goodbye", "en"),
    ]
