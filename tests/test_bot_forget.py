"""/forget: after confirming, nothing about the person is left in Redis and the chat's
messages of the last 48 hours (both sides) are gone from their phone."""
from mitra.responses import RESPONSES
from bot import texts
from mitra import cases
from mitra.i18n import gettext
from tests.conftest import sender_of


def keys_of(redis_client, person):
    return [k for k in redis_client.scan_iter("mitra:*") if sender_of(person) in k]


def test_forget_deletes_everything_kept_and_the_recent_messages(person, telegram, redis_client):
    me = person()
    me.wait_replies(me.say("សួស្តីបង"))
    me.wait_replies(me.send("voice"), count=1)
    # A hand-off case the person has open (issue 4 writes these; /forget must remove them).
    redis_client.set(cases.open_case_key(sender_of(me)), "900001", ex=60)
    redis_client.hset(cases.case_key("900001"), mapping={"sender": sender_of(me)})
    redis_client.expire(cases.case_key("900001"), 60)
    assert redis_client.exists(f"mitra:tracker:{sender_of(me)}")

    sent = me.say("/forget")
    [question] = me.wait_replies(sent)
    assert question["text"] == gettext("km", texts.FORGET_CONFIRM)
    assert [b["text"] for row in question["reply_markup"]["inline_keyboard"] for b in row] == [
        gettext("km", texts.FORGET_YES), gettext("km", texts.FORGET_NO)]
    me.press(question, title=gettext("km", texts.FORGET_YES))

    done = gettext("km", texts.FORGET_DONE)
    telegram.wait_until(lambda: [m.get("text") for m in telegram.transcript(me.chat_id)] == [done])
    assert keys_of(redis_client, me) == []
    assert not redis_client.exists(cases.case_key("900001"))
    assert sender_of(me) not in redis_client.zrange("mitra:pending", 0, -1)


def test_after_forgetting_the_person_starts_afresh(person, telegram, redis_client):
    me = person()
    me.wait_replies(me.say("hello there"))
    question = me.wait_replies(me.say("/forget"))[-1]
    me.press(question, title=gettext("en", texts.FORGET_YES))
    telegram.wait_until(lambda: len(telegram.transcript(me.chat_id)) == 1)
    sent = me.say("hello there")
    assert me.wait_replies(sent)[0]["text"] == gettext("en", RESPONSES["utter_greet"].text)


def test_saying_no_keeps_everything(person, redis_client):
    me = person()
    first = me.say("hello there")
    me.wait_replies(first)
    question = me.wait_replies(me.say("/forget"))[-1]
    assert question["text"] == gettext("en", texts.FORGET_CONFIRM)
    me.press(question, title=gettext("en", texts.FORGET_NO))
    replies = me.wait_for(lambda ms: any(m["text"] == gettext("en", texts.FORGET_CANCELLED)
                                         for m in ms), after=question["message_id"])
    assert replies
    assert redis_client.exists(f"mitra:tracker:{sender_of(me)}")
    assert me.bot_messages()[0]["text"] == gettext("en", RESPONSES["utter_greet"].text)
