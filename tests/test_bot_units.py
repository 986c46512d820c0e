"""The bot's pure parts: what Rasa's replies become on Telegram, what incoming text is
allowed to reach Rasa, Redis key names and ids. No stack needed."""
import re

import pytest

from mitra.responses import RESPONSES
from bot import commands, forget, incoming, replies, texts
from bot.language import of_reply, without_memory
from mitra import keys
from mitra.i18n import LANGUAGES, gettext


def test_every_button_payload_fits_telegram_callback_data():
    payloads = [b.payload for r in RESPONSES.values() for b in r.buttons]
    payloads += list(forget.OWN_BUTTONS)
    assert payloads
    too_long = [p for p in payloads if len(p.encode("utf-8")) > replies.MAX_CALLBACK_BYTES]
    assert not too_long


def test_text_and_buttons_become_one_message_with_an_inline_keyboard():
    [message] = replies.from_rasa([{"recipient_id": "x", "text": "Choose:", "buttons": [
        {"title": "ខ្មែរ", "payload": '/switch_language{"requested_language":"km"}'},
        {"title": "ไทย", "payload": '/switch_language{"requested_language":"th"}'},
        {"title": "English", "payload": '/switch_language{"requested_language":"en"}'},
    ]}])
    rows = message.keyboard().inline_keyboard
    assert [[b.text for b in row] for row in rows] == [["ខ្មែរ", "ไทย", "English"]]
    assert rows[0][1].callback_data == '/switch_language{"requested_language":"th"}'


def test_long_button_titles_get_a_row_each():
    [message] = replies.from_rasa([{"text": "Hello", "buttons": [
        {"title": "Check my situation", "payload": "/start_safety_check"},
        {"title": "Talk to a person", "payload": "/request_human"},
    ]}])
    assert [len(row) for row in message.keyboard().inline_keyboard] == [1, 1]


def test_a_button_whose_payload_telegram_would_refuse_is_dropped_not_fatal():
    [message] = replies.from_rasa([{"text": "Hi", "buttons": [
        {"title": "ok", "payload": "/affirm"}, {"title": "bad", "payload": "/x" + "y" * 80},
    ]}])
    assert message.buttons == [("ok", "/affirm")]


def test_emergency_card_after_a_text_listing_its_numbers_makes_them_bold_in_place():
    text = "ប្រសិនបើ​មាន​គ្រោះថ្នាក់\n\nកម្ពុជា: 117 (ប៉ូលិស)\nថៃ: 191 (ប៉ូលិស)\nថៃ: 1-800-010-181 (x)"
    card = {"type": "emergency_numbers", "numbers": [
        {"country": "KH", "country_name": "កម្ពុជា", "number": "117", "label": "ប៉ូលិស"},
        {"country": "TH", "country_name": "ថៃ", "number": "191", "label": "ប៉ូលិស"},
        {"country": "TH", "country_name": "ថៃ", "number": "1-800-010-181", "label": "x"},
    ]}
    messages = replies.from_rasa([{"text": text}, {"custom": card}])
    assert len(messages) == 1
    units = text.encode("utf-16-le")
    shown = [units[2 * e.offset: 2 * (e.offset + e.length)].decode("utf-16-le")
             for e in messages[0].entities()]
    assert shown == ["117", "191", "1-800-010-181"]


def test_emergency_card_alone_is_a_compact_list():
    card = {"type": "emergency_numbers", "numbers": [
        {"country": "KH", "country_name": "Cambodia", "number": "117", "label": "Police"}]}
    [message] = replies.from_rasa([{"custom": card}])
    assert message.text == "Cambodia: 117 (Police)"


def test_unknown_custom_payloads_and_empty_entries_are_skipped():
    assert replies.from_rasa([{"custom": {"type": "map"}}, {"text": ""}, {"image": "x"}]) == []


def test_text_over_telegrams_limit_is_split_and_the_keyboard_stays_on_the_last_part():
    text = ("ពាក្យ " * 1500).strip()
    messages = replies.from_rasa([{"text": text, "buttons": [{"title": "ok", "payload": "/affirm"}]}])
    assert len(messages) > 1
    assert all(replies.utf16_len(m.text) <= 4096 for m in messages)
    assert [bool(m.buttons) for m in messages] == [False] * (len(messages) - 1) + [True]


@pytest.mark.parametrize("text", [
    "/danger_now", '/switch_language{"requested_language":"th"}', "  /greet", "\u200b/greet",
    "\u202e/greet", "\ufeff/request_human", "\x00/greet", "\n\t/x",
])
def test_text_starting_with_a_slash_is_a_command_however_it_is_disguised(text):
    assert incoming.looks_like_command(text)


@pytest.mark.parametrize("text", ["hello /start", "½ day", "ខ្ញុំ/យើង", "", "\u200b"])
def test_other_text_is_not_a_command(text):
    assert not incoming.looks_like_command(text)


def test_cleaning_keeps_khmer_word_separators_and_drops_control_and_override_characters():
    khmer = "ខ្ញុំ\u200bចង់\u200bទៅ\u200dផ្ទះ"
    assert incoming.clean(khmer) == khmer
    assert incoming.clean("a\x00b\u202ec\u2066d\x1b") == "abcd"
    assert incoming.clean("line one\nline two\ttab") == "line one\nline two\ttab"


def test_long_text_is_cut_at_a_word_boundary():
    text = "word " * 300
    short, cut = incoming.shorten(text, 1000)
    assert cut and len(short) <= 1000 and short.endswith("word")
    assert incoming.shorten("short", 1000) == ("short", False)


def test_sender_id_is_a_keyed_hash_of_the_chat_not_the_chat_id():
    sender = keys.sender_id(123456789, key="k1")
    assert re.fullmatch(r"tg-[0-9a-f]{32}", sender)
    assert "123456789" not in sender
    assert sender == keys.sender_id(123456789, key="k1")
    assert sender != keys.sender_id(123456789, key="k2")
    assert sender != keys.sender_id(-123456789, key="k1")


def test_every_key_is_under_the_mitra_prefix_and_holds_the_sender():
    sender = keys.sender_id(1, key="k")
    for name in keys.personal_keys(sender):
        assert name.startswith("mitra:") and sender in name
    assert keys.PENDING.startswith("mitra:")
    assert keys.tracker(sender) == f"mitra:tracker:{sender}"  # Rasa's own naming
    assert keys.rasa_lock(sender) == f"mitra:lock:{sender}"


@pytest.mark.parametrize("texts,expected", [
    (["សួស្តី! ខ្ញុំឈ្មោះ មិត្រា"], "km"), (["สวัสดีครับ"], "th"),
    (["Hello, I am Mitra."], "en"), (["", "117"], None), ([], None),
])
def test_the_language_of_a_reply_is_its_script(texts, expected):
    assert of_reply(texts) == expected


def test_language_without_redis_prefers_the_script_then_telegram_then_detection():
    assert without_memory("សួស្តីបង", "en") == "km"
    assert without_memory("ok", "th-TH") == "th"
    assert without_memory("hello how are you", None) == "en"


@pytest.mark.parametrize("language", LANGUAGES)
def test_bot_side_sentences_exist_in_each_language_and_keep_the_numbers(language):
    fallback = texts.cannot_answer_now(language)
    assert {"117", "191", "1300"} <= set(re.findall(r"\d+", fallback))
    for kind in texts.MEDIA:
        assert texts.media(kind, language)
    if language != "en":
        assert fallback != texts.cannot_answer_now("en")
        assert gettext(language, texts.FORGET_DONE) != texts.FORGET_DONE


@pytest.mark.parametrize("language", LANGUAGES)
def test_command_menu_is_valid_for_telegram_in_each_language(language):
    menu = commands.menu(language)
    assert [c.command for c in menu] == ["start", "help", "language", "check", "human", "forget"]
    assert all(1 <= len(c.description) <= 256 for c in menu)
    listing = commands.unknown_command_text(language)
    assert all(f"/{c.command}" in listing for c in menu)


def test_typing_shows_only_when_an_answer_is_slow_in_coming():
    import asyncio

    from bot import outbox

    class Recorder:
        def __init__(self):
            self.actions = []

        async def send_chat_action(self, chat_id, action):
            self.actions.append((chat_id, action))

    async def answered_after(seconds):
        bot = Recorder()
        typing = asyncio.create_task(outbox.keep_typing(bot, 7, after=0.2))
        await asyncio.sleep(seconds)
        typing.cancel()
        return bot.actions

    assert asyncio.run(answered_after(0.05)) == []
    assert asyncio.run(answered_after(0.4)) == [(7, "typing")]
