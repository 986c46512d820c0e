"""How the `language` and `country` slots follow the person (mitra/language_slot.py)."""
from mitra.language_slot import decide_language, slot_updates

KHMER = {"code": "km", "script": "Khmr", "score": 1.0, "strong": True}
THAI = {"code": "th", "script": "Thai", "score": 1.0, "strong": True}
ENGLISH_STRONG = {"code": "en", "script": "Latn", "score": -3.0, "strong": True}
ENGLISH_WEAK = {"code": "en", "script": "Latn", "score": -1.0, "strong": False}
ROMAN_KHMER = {"code": "km", "script": "Latn", "score": 3.0, "strong": True}
NOTHING = {"code": None, "script": "Other", "score": 0.0, "strong": False}


def test_first_message_sets_the_language_even_if_weak():
    assert decide_language(ENGLISH_WEAK, None, None) == {"language": "en"}


def test_script_switches_language():
    assert decide_language(THAI, "km", None) == {"language": "th"}


def test_weak_latin_does_not_move_an_ongoing_conversation():
    assert decide_language(ENGLISH_WEAK, "km", None) == {}


def test_strong_latin_moves_it():
    assert decide_language(ENGLISH_STRONG, "km", None) == {"language": "en"}
    assert decide_language(ROMAN_KHMER, "en", None) == {"language": "km"}


def test_explicit_choice_wins_over_latin_text():
    assert decide_language(ENGLISH_STRONG, "km", "km") == {}
    assert decide_language(ROMAN_KHMER, "en", "en") == {}


def test_writing_another_script_ends_the_explicit_choice():
    assert decide_language(KHMER, "en", "en") == {"language": "km", "language_choice": None}


def test_nothing_to_tell_changes_nothing():
    assert decide_language(NOTHING, "th", None) == {}
    assert decide_language({}, None, None) == {}


def test_telegrams_interface_language_is_only_a_first_guess():
    # /start or a button from someone whose Telegram is in Thai: nothing in the text.
    assert slot_updates(NOTHING, "/start", {"language_code": "th-TH"}, {}) == {"language": "th"}
    assert slot_updates(NOTHING, "/start", {"language_code": "th"}, {"language": "km"}) == {}
    assert slot_updates(NOTHING, "ok", {"language_code": "ru"}, {}) == {}
    # What they write wins over the interface.
    assert slot_updates(KHMER, "សួស្តី", {"language_code": "en"}, {}) == {"language": "km"}


def test_a_clear_mention_of_where_they_are_sets_the_country():
    assert slot_updates(NOTHING, "I work in Rayong", None, {"language": "en"}) == {"country": "TH"}
    assert slot_updates(THAI, "ตอนนี้อยู่ระยอง", None, {"language": "th"}) == {"country": "TH"}
    assert slot_updates(NOTHING, "I work in Rayong", None, {"country": "TH"}) == {}
    # A wish to go home is not where they are.
    assert slot_updates(NOTHING, "I want to go back to Cambodia", None, {"country": "TH"}) == {}
    assert slot_updates(KHMER, "ខ្ញុំនៅភ្នំពេញ", None, {"country": "TH"}) == {
        "language": "km", "country": "KH"}
