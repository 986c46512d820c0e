"""Replies rendered inside Rasa: Rasa's own tracker, the person's language, the
emergency numbers for their country, and the NLG that endpoints.yml names."""
import asyncio
import re

import pytest
from rasa.core.nlg.generator import NaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
import yaml
from rasa.utils.endpoints import EndpointConfig

from mitra.i18n import gettext
from mitra.nlg_rasa import RENDERS, UNKNOWN, MitraNaturalLanguageGenerator
from mitra.responses import RESPONSES

DOMAIN = Domain.load("domain.yml")
KHMER, THAI = r"[\u1780-\u17ff]", r"[\u0e00-\u0e7f]"


def tracker(detected=None, **slots):
    events = [UserUttered("…", parse_data={"intent": {"name": "greet"},
                                           "language": {"code": detected}})]
    events += [SlotSet(name, value) for name, value in slots.items()]
    return DialogueStateTracker.from_events("tg-test", events, slots=DOMAIN.slots)


def generate(name, tracker, **arguments):
    with open("endpoints.yml") as endpoints:  # the nlg section has no ${…} to fill in
        config = EndpointConfig.from_dict(yaml.safe_load(endpoints)["nlg"])
    nlg = NaturalLanguageGenerator.create(config, DOMAIN)
    assert isinstance(nlg, MitraNaturalLanguageGenerator)
    return asyncio.run(nlg.generate(name, tracker, "rest",
                                    domain_responses=DOMAIN.responses, **arguments))


def test_the_language_slot_decides_then_what_was_detected():
    assert re.search(THAI, generate("utter_greet", tracker(detected="en", language="th"))["text"])
    assert re.search(KHMER, generate("utter_greet", tracker(detected="km"))["text"])
    english = generate("utter_greet", tracker(detected="en"))["text"]
    assert english == gettext("en", RESPONSES["utter_greet"].text)


def test_an_action_that_switched_language_is_answered_in_the_new_one():
    message = generate("utter_language_switched", tracker(language="en"), language="km",
                       response="utter_language_switched", text=None, buttons=[])
    assert message["text"] == gettext("km", RESPONSES["utter_language_switched"].text)


def test_danger_reply_carries_the_numbers_of_the_country_and_buttons_in_the_language():
    message = generate("utter_danger", tracker(language="th", country="TH"))
    numbers = [n["number"] for n in message["custom"]["numbers"]]
    assert numbers[:2] == ["191", "1300"] and "117" not in numbers
    assert "191" in message["text"] and re.search(THAI, message["text"])
    for button in message.get("buttons", []):
        assert re.search(THAI, button["title"]) and button["payload"].startswith("/")


@pytest.mark.parametrize("name", ["utter_ask_sc_country", "utter_default"])
def test_every_language_is_counted(name):
    before = RENDERS.labels("km")._value.get()
    generate(name, tracker(language="km"))
    assert RENDERS.labels("km")._value.get() == before + 1


def test_an_unknown_name_gets_the_default_reply_and_is_counted():
    before = UNKNOWN._value.get()
    message = generate("utter_no_such_reply", tracker(language="en"))
    assert message["text"] == gettext("en", RESPONSES["utter_default"].text)
    assert UNKNOWN._value.get() == before + 1
