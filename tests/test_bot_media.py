"""Voice notes, photos, stickers, documents, locations and contacts get a kind answer in
the person's language; a caption is read like a message."""
import pytest

from mitra.responses import RESPONSES
from bot import texts
from mitra.i18n import gettext


@pytest.mark.parametrize("kind,answer", [
    ("voice", "voice"), ("photo", "picture"), ("sticker", "sticker"), ("document", "document"),
    ("location", "location"), ("contact", "contact"), ("video", "picture"), ("poll", "other"),
])
def test_each_media_type_gets_a_kind_answer_in_the_persons_language(person, kind, answer):
    me = person(language_code="th")
    sent = me.send(kind)
    [reply] = me.wait_replies(sent)
    assert reply["text"] == texts.media(answer, "th")


def test_a_location_comes_back_with_the_emergency_numbers(person):
    me = person(language_code="en")
    [reply] = me.wait_replies(me.send("location"))
    assert {"117", "191", "1300"} <= set(reply["text"].replace(".", " ").split())


def test_media_answers_follow_the_language_the_person_writes_in(person):
    me = person(language_code="en")  # Telegram has no Khmer interface: "en" is common
    greeting = me.wait_replies(me.say("សួស្តីបង"))[0]
    assert greeting["text"] == gettext("km", RESPONSES["utter_greet"].text)
    [reply] = me.wait_replies(me.send("sticker"), count=1)
    assert reply["text"] == texts.media("sticker", "km")


def test_a_caption_is_answered_like_a_message_then_the_media(person):
    me = person()
    sent = me.send("photo", caption="hello there")
    replies = me.wait_replies(sent, count=2)
    assert [r["text"] for r in replies] == [
        gettext("en", RESPONSES["utter_greet"].text), texts.media("picture", "en")]
