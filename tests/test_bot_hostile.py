"""Input a person (or an attacker) may send: markup, the longest messages Telegram allows,
invisible and right-to-left characters, null bytes, forged button presses, floods, edits,
and updates from groups and channels. The bot answers or ignores on purpose, never breaks."""

import pytest

from mitra.responses import RESPONSES
from bot import texts
from mitra.i18n import gettext
from tests.conftest import RATE_LIMIT, sender_of, tracker_of
from tests.fake_telegram.updates import channel_chat, group_chat, user


def greet(language):
    return gettext(language, RESPONSES["utter_greet"].text)


def user_events(redis_client, person):
    events = tracker_of(redis_client, sender_of(person))["events"]
    return [e for e in events if e["event"] == "user"]


def still_answers(person):
    sent = person.say("hello there")
    person.wait_for(lambda ms: any(m["text"] == greet("en") for m in ms), after=sent)


@pytest.mark.parametrize("text", [
    "<b>boss</b> *took* _my_ [passport](http://x.example) `now` &amp; <script>",
    "a" * 4096,
    "ខ្ញុំ" * 1024,  # 4096 characters of Khmer
    "\u200b\u200c\u200d\u2060\ufeff",
    "\u202eolleh\u202c \u2067שלום\u2069 مرحبا",
    "hello\x00world\x00",
    "\x00",
    "Z̷̢̛a̸̡͝l̶̨̛g̴̢̕o̵̡͘ 👨‍👩‍👧‍👦🏳️‍🌈",
])
def test_hostile_text_gets_an_answer_and_the_chat_keeps_working(person, text, telegram):
    me = person()
    sent = me.say(text)
    replies = me.wait_replies(sent)
    assert replies[0]["text"].strip()
    # Replies are plain text: nothing a person writes can turn into formatting or links.
    assert all("parse_mode" not in c.params for c in telegram.calls_of("sendMessage", chat_id=me.chat_id))
    still_answers(me)


def test_a_very_long_message_is_read_from_its_beginning_and_the_person_is_told(person, redis_client):
    me = person()
    text = "hello there, " + "I want to ask about my work and my rights here. " * 80
    assert len(text) <= 4096
    sent = me.say(text)
    replies = me.wait_for(lambda ms: any(m["text"] == gettext("en", texts.TOO_LONG) for m in ms),
                          after=sent)
    assert replies[-1]["text"] == gettext("en", texts.TOO_LONG)
    [event] = user_events(redis_client, me)
    assert len(event["text"]) <= 1000 and text.startswith(event["text"])


def test_a_forged_button_press_does_not_reach_rasa(person, telegram, redis_client):
    me = person(language_code="en")
    greeting = me.wait_replies(me.say("hello there"))[0]
    before = len(user_events(redis_client, me))
    query = me.press(greeting, data="/danger_now")
    telegram.wait_until(lambda: telegram.callback_queries[query]["answered"])
    assert telegram.callback_queries[query]["answered"]["text"] == gettext("en", texts.BUTTON_EXPIRED)
    still_answers(me)
    assert [e["text"] for e in user_events(redis_client, me)[before:]] == ["hello there"]


def test_an_edited_question_is_answered_again_and_an_edited_command_is_not_run(person):
    me = person()
    sent = me.say("helo")
    me.wait_replies(sent)
    me.edit(sent, "hello there")
    replies = me.wait_for(lambda ms: ms[-1]["text"] == greet("en"), after=sent)
    count = len(replies)
    me.edit(sent, "/start")
    still_answers(me)
    assert len(me.bot_messages(sent)) == count + 1


def test_groups_and_channels_are_ignored_and_private_chats_go_on(person, telegram):
    group = group_chat(-1002000000002, "Some group")
    channel = channel_chat(-1003000000003, "Some channel")
    telegram.post_message(group, user(4242), {"text": "hello there"})
    telegram.post_message(group, user(4242), {"text": "/start", "entities": [
        {"type": "bot_command", "offset": 0, "length": 6}]})
    telegram.post_message(channel, None, {"text": "hello there"}, update_type="channel_post")
    telegram.inject({"edited_channel_post": {"message_id": 1, "date": 1, "chat": channel,
                                             "edit_date": 2, "text": "x"}})
    telegram.inject({"my_chat_member": {
        "chat": group, "from": user(4242), "date": 1,
        "old_chat_member": {"status": "left", "user": telegram.bot_user},
        "new_chat_member": {"status": "member", "user": telegram.bot_user}}})
    me = person()
    still_answers(me)
    for chat in (group, channel):
        assert not telegram.calls_of("sendMessage", chat_id=chat["id"])


def test_a_flood_is_cut_at_the_limit_and_the_person_told_once(person, redis_client):
    me = person(language_code="en")
    first = me.say("hello there")
    for n in range(RATE_LIMIT + 4):
        me.say(f"hello {n}")
    limited = gettext("en", texts.RATE_LIMITED)
    me.wait_for(lambda ms: len(user_events(redis_client, me)) >= RATE_LIMIT
                and any(m["text"] == limited for m in ms), after=first)
    # Let the bot finish what it accepted, then count.
    other = person()
    still_answers(other)
    assert len(user_events(redis_client, me)) == RATE_LIMIT
    assert [m["text"] for m in me.bot_messages(first)].count(limited) == 1


def test_an_update_the_library_cannot_read_is_skipped_not_fetched_forever(person, telegram):
    # A poll as a Bot API server older than python-telegram-bot 22.8 expects sends it.
    me = person()
    telegram.post_message(me.chat, me.user, {"poll": {
        "id": "7", "question": "?", "options": [], "total_voter_count": 0, "is_closed": False,
        "is_anonymous": True, "type": "regular", "allows_multiple_answers": False}})
    still_answers(me)
    still_answers(person())
