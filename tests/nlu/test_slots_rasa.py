"""The language and country slots, set inside Rasa by its own `action_extract_slots`
(mitra/slots_rasa.py): on Rasa's real tracker and domain, without the action server."""
import asyncio

import pytest
import redis
from rasa.core.actions.action import ActionExtractSlots
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from mitra import slots_rasa, stats

DOMAIN = Domain.load("domain.yml")
THAI = {"code": "th", "script": "Thai", "score": 1.0, "strong": True}
NOTHING = {"code": None, "script": "Other", "score": 0.0, "strong": False}


@pytest.fixture()
def counted(monkeypatch):
    """The statistics go to a Redis database of this test's own."""
    client = redis.Redis(db=13, decode_responses=True)
    client.flushdb()
    monkeypatch.setattr(stats, "client", lambda: client)
    yield client
    client.flushdb()


def tracker_after(text, detection, intent="greet", metadata=None, events=()):
    message = UserUttered(text, intent={"name": intent, "confidence": 1.0},
                          parse_data={"intent": {"name": intent}, "language": detection,
                                      "text": text}, metadata=metadata)
    return DialogueStateTracker.from_events("tg-slots", [*events, message], slots=DOMAIN.slots)


def extract(tracker):
    slots_rasa.install()
    action = ActionExtractSlots(action_endpoint=None)  # no action server to ask
    return asyncio.run(action.run(CollectingOutputChannel(), None, tracker, DOMAIN))


def test_a_second_install_does_not_wrap_rasa_twice():
    slots_rasa.install()
    slots_rasa.install()
    wrapped = ActionExtractSlots.run.__wrapped__
    assert getattr(ActionExtractSlots.run, "_mitra", False)
    assert not getattr(wrapped, "_mitra", False), "our wrapper wraps itself"


def test_the_domain_no_longer_asks_the_action_server_after_every_message():
    assert "action_validate_slot_mappings" not in DOMAIN.user_actions


def test_a_thai_message_in_thailand_sets_both_slots_and_counts_the_person_once(counted):
    events = extract(tracker_after("ตอนนี้ทำงานอยู่ชลบุรี", THAI))
    assert {(e.key, e.value) for e in events if isinstance(e, SlotSet)} == {
        ("language", "th"), ("country", "TH")}
    extract(tracker_after("ขอบคุณ", THAI, events=[SlotSet("language", "th")]))
    month = stats.month_of()
    assert counted.hgetall(stats.counters_key(month)) == {"conversations:th": "1"}


def test_a_button_changes_nothing_but_the_first_guess_comes_from_telegram(counted):
    assert extract(tracker_after("/start", NOTHING, metadata={"language_code": "en"})) == [
        SlotSet("language", "en")]
    assert extract(tracker_after("/start", NOTHING, metadata={"language_code": "en"},
                                 events=[SlotSet("language", "km")])) == []


def test_starting_the_safety_check_is_counted_once_not_again_inside_it(counted):
    extract(tracker_after("/check", NOTHING, intent="start_safety_check",
                          events=[SlotSet("language", "en")]))
    extract(tracker_after("/check", NOTHING, intent="start_safety_check",
                          events=[SlotSet("language", "en"), ActiveLoop("safety_check_form")]))
    assert counted.hget(stats.counters_key(stats.month_of()), "check:started") == "1"
