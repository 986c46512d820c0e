"""Hand-off to hotline staff, end to end: a person's chat and the staff group through the
fake Bot API, with the real bot, Rasa, action server and Redis. Staff texts are compared
with the catalogs in the staff language, so the tests hold whatever the wording."""
import json

import pytest

from bot import case_cards, staff_texts as t
from mitra import keys
from mitra.config import settings
from mitra.i18n import gettext
from tests.conftest import STAFF_CHAT_ID, sender_of, tracker_of
from tests.fake_telegram.staff import group_messages

STAFF = settings.staff_language  # the bot under test runs with the default


def case_id_of(redis_client, person, timeout=30):
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        case_id = redis_client.get(keys.open_case(sender_of(person)))
        if case_id:
            return case_id
        time.sleep(0.1)
    raise AssertionError("no case was opened")


def cards(telegram, case_id):
    """The case cards the bot ever sent for this case (edits do not count)."""
    title = gettext(STAFF, t.CARD_TITLE, number=f"#{case_id}", urgency="")
    return [c for c in telegram.calls_of("sendMessage", chat_id=STAFF_CHAT_ID)
            if c.params["text"].startswith(title.split("·")[0])]


def card_message(telegram, case_id):
    def find():
        for message in group_messages(telegram, STAFF_CHAT_ID):
            buttons = [b["callback_data"] for row in message.get("reply_markup", {}).get(
                "inline_keyboard", []) for b in row]
            if any(b.endswith(f":{case_id}") for b in buttons) and f"#{case_id}" in message["text"]:
                return message
    return telegram.wait_until(find, 30)


def replies_to(telegram, message_id, predicate=lambda m: True):
    return [m for m in group_messages(telegram, STAFF_CHAT_ID)
            if m.get("reply_to_message", {}).get("message_id") == message_id and predicate(m)]


URGENT = [
    ("km", "ពួកគេវាយខ្ញុំ ហើយមិនឲ្យខ្ញុំចេញពីកន្លែងធ្វើការទេ"),
    ("th", "หัวหน้าตีผมทุกวันและไม่ให้ออกจากโรงงาน ช่วยด้วย"),
    ("km", "me ka vay knhom haey min oy chenh pi kanleng"),
    ("en", "the captain beats us and we cannot get off the boat"),
    # Only a call for help: little for the classifier to read, an alarm all the same.
    ("km", "SOS!!"),  # no language in it: the default, Khmer
    ("km", "juoy phong2"),
]


@pytest.mark.parametrize("language,message", URGENT)
def test_an_urgent_message_reaches_the_staff_group_once(person, telegram, redis_client,
                                                        language, message):
    me = person()
    me.wait_replies(me.say(message), count=2)
    case_id = case_id_of(redis_client, me)
    card = card_message(telegram, case_id)
    assert gettext(STAFF, t.URGENT) in card["text"]
    assert gettext(STAFF, t.LANGUAGE_NAMES[language]) in card["text"]
    assert message in card["text"]  # the last messages, for staff to read
    assert [b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row] == [
        gettext(STAFF, t.CLAIM)]
    assert len(cards(telegram, case_id)) == 1


def test_claim_relay_and_close(person, staff_member, telegram, redis_client):
    me = person()
    first = me.say("URGENT: they took my passport and locked me in the factory, please come")
    me.wait_replies(first, count=2)
    case_id = case_id_of(redis_client, me)
    card = card_message(telegram, case_id)
    sender = sender_of(me)

    # Someone outside the staff group cannot claim.
    stranger = staff_member("Stranger", member=False)
    answer = stranger.answer_to(stranger.press(card, gettext(STAFF, t.CLAIM)))
    assert answer["text"] == gettext(STAFF, t.NOT_STAFF)
    assert redis_client.hget(keys.case(case_id), "status") == "open"

    # A staff member claims: the card shows it, and the person is told in their language.
    dara = staff_member("Dara")
    seen = len(me.bot_messages())
    dara.answer_to(dara.press(card, gettext(STAFF, t.CLAIM)))
    joined = me.wait_for(lambda ms: len(ms) > seen)[-1]
    assert joined["text"] == gettext("en", t.STAFF_JOINED)
    card = telegram.wait_until(lambda: next(
        (m for m in group_messages(telegram, STAFF_CHAT_ID) if m["message_id"] == card["message_id"]
         and case_cards.CLOSE_DATA in json.dumps(m.get("reply_markup", {}))), None))
    assert gettext(STAFF, t.CLAIMED_BY, name="Dara") in card["text"]
    tracker = tracker_of(redis_client, sender)
    assert tracker["events"][-1]["event"] == "pause"

    # The person's text, voice, photo and location reach the case's thread; the bot
    # itself stays silent.
    before = len(me.bot_messages())
    me.say("I am in the building behind the market")
    for kind in ("voice", "photo", "location"):
        me.send(kind)
    copies = telegram.wait_until(lambda: (lambda found: found if len(found) >= 4 else None)(
        replies_to(telegram, card["message_id"], lambda m: m["from"]["is_bot"]
                   and ("text" not in m or m["text"] == "I am in the building behind the market"))))
    assert [next(k for k in ("text", "voice", "photo", "location") if k in m) for m in copies] == [
        "text", "voice", "photo", "location"]
    assert len(me.bot_messages()) == before

    # The claimer's reply reaches the person; another staff member's does not.
    dara.say("We are coming. Stay where you are.", reply_to=card)
    got = me.wait_for(lambda ms: any(m["text"] == "We are coming. Stay where you are." for m in ms))
    assert got[-1]["text"] == "We are coming. Stay where you are."
    other = staff_member("Sophea")
    note = other.say("I can take the next one", reply_to=card)
    telegram.wait_until(lambda: replies_to(
        telegram, note["message_id"], lambda m: m.get("text") == gettext(STAFF, t.CLAIM_FIRST)))
    assert all(m.get("text") != "I can take the next one" for m in me.bot_messages())

    # /cases lists it as being with Dara.
    asked = dara.say("/cases")
    listing = telegram.wait_until(lambda: replies_to(telegram, asked["message_id"]))[0]
    assert f"#{case_id}" in listing["text"] and "Dara" in listing["text"]

    # Close: the person is asked whether they got help, and Rasa answers again.
    seen = len(me.bot_messages())
    dara.press(card, gettext(STAFF, t.CLOSE))
    asked_help = me.wait_for(lambda ms: len(ms) > seen)[-1]
    assert asked_help["text"] == gettext("en", t.STAFF_LEFT)
    me.press(asked_help, title=gettext("en", t.YES_HELPED))
    me.wait_for(lambda ms: ms[-1]["text"] == gettext("en", t.THANKS_HELPED))
    telegram.wait_until(lambda: replies_to(
        telegram, card["message_id"], lambda m: m.get("text") == gettext(STAFF, t.FEEDBACK_HELPED)))
    assert redis_client.get(keys.open_case(sender)) is None
    greeted = me.say("hello")
    assert me.wait_replies(greeted)[0]["text"]  # Rasa is back
    events = [e["event"] for e in tracker_of(redis_client, sender)["events"]]
    assert "resume" in events

    # Every action is on record with who did it.
    log = [json.loads(e) for e in redis_client.lrange(keys.case_log(case_id), 0, -1)]
    by_action = {(e["action"], e["who"]) for e in log}
    assert {("refused", stranger.user["id"]), ("claimed", dara.user["id"]),
            ("replied", dara.user["id"]), ("closed", dara.user["id"])} <= by_action
    assert all(e["at"] > 0 for e in log)


def test_human_makes_an_ordinary_case(person, telegram, redis_client):
    me = person()
    me.wait_replies(me.say("/human"))
    case_id = case_id_of(redis_client, me)
    card = card_message(telegram, case_id)
    assert gettext(STAFF, t.NORMAL) in card["text"]
    assert gettext(STAFF, t.URGENT) not in card["text"]


def test_cases_is_for_staff_only(staff_member, telegram):
    outsider = staff_member("Outsider", member=False)
    asked = outsider.say("/cases")
    refusal = telegram.wait_until(lambda: replies_to(telegram, asked["message_id"]))[0]
    assert refusal["text"] == gettext(STAFF, t.NOT_STAFF)
