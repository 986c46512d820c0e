"""Replies rendered in the person's language, with buttons and emergency numbers."""
import re

import pytest

from mitra.nlg import pick_language, render
from mitra.responses import RESPONSES
from mitra.i18n import gettext

SCRIPT = {"km": r"[\u1780-\u17ff]", "th": r"[\u0e00-\u0e7f]"}


def tracker(language=None, country=None, detected=None):
    return {"slots": {"language": language, "country": country},
            "latest_message": {"language": {"code": detected}}}


@pytest.mark.parametrize("name", sorted(RESPONSES))
@pytest.mark.parametrize("language", ["km", "th"])
def test_every_response_renders_in_its_script(name, language):
    message = render(name, tracker(language), {})
    assert re.search(SCRIPT[language], message["text"])
    for button in message.get("buttons", []):
        assert button["title"] and button["payload"].startswith("/")


def test_argument_beats_slot_beats_detection():
    assert pick_language(tracker("th", detected="en"), {"language": "km"}) == "km"
    assert pick_language(tracker("th", detected="en"), {}) == "th"
    assert pick_language(tracker(None, detected="en"), {}) == "en"


def test_unknown_language_falls_back_to_default():
    assert pick_language(tracker("xx"), {}) == "km"


def test_emergency_numbers_for_thailand_first_and_only():
    message = render("utter_danger", tracker("en", country="TH"), {})
    numbers = [n["number"] for n in message["custom"]["numbers"]]
    assert numbers[:2] == ["191", "1300"] and "117" not in numbers
    assert "191" in message["text"]


def test_emergency_numbers_for_both_countries_when_unknown():
    message = render("utter_danger", tracker("km"), {})
    numbers = {n["number"] for n in message["custom"]["numbers"]}
    assert {"117", "191", "1300"} <= numbers
    labels = [n["label"] for n in message["custom"]["numbers"]]
    assert all(re.search(SCRIPT["km"], label) for label in labels)


def test_privacy_says_how_long_we_keep_data():
    message = render("utter_privacy", tracker("en"), {})
    assert "30 days" in message["text"]


def test_language_switch_confirms_in_the_new_language():
    expected = gettext("th", RESPONSES["utter_language_switched"].text)
    assert render("utter_language_switched", tracker("en"), {"language": "th"})["text"] == expected


@pytest.mark.parametrize("language", ["km", "th", "en"])
def test_no_answer_from_the_knowledge_base_offers_a_person_and_the_safety_check(language):
    # What a complaint that DIET took for danger gets when no topic fits (nlu/danger.py).
    message = render("utter_kb_no_answer", tracker(language), {})
    assert [b["payload"] for b in message["buttons"]] == ["/request_human", "/start_safety_check"]
    assert message["buttons"][1]["title"] == gettext(language, "Check my situation")
