"""Hostile input, generated (hypothesis): the bot's message handling and the admins' file
import never fail on anything, and never let an odd message through as a command or a
file as a valid knowledge base by accident. The tokenizer and language detection have their
own property tests in tests/nlu/."""
import csv
import io

from hypothesis import HealthCheck, given, settings, strategies as st

from actions.knowledge.validate import validate_file
from bot import incoming, replies

ANY_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=3000)
SEEDED = st.sampled_from(["/start", "\u200b/help", "ខ្ញុំ", "ฉัน", "<b>x</b>", "\x00", "\u202e",
                          "😀" * 5, "a" * 4097, "/intent{\"x\":1}"])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(ANY_TEXT, st.builds(lambda a, b: a + b, SEEDED, ANY_TEXT)))
def test_any_text_is_cleaned_and_cut_without_failing(text):
    cleaned = incoming.clean(text)
    assert "\x00" not in cleaned
    short, cut = incoming.shorten(cleaned, 1000)
    assert len(short) <= 1000
    assert cut == (len(cleaned) > 1000)
    # A command is recognised whatever invisible characters come first; nothing else is one.
    assert incoming.looks_like_command(text) == incoming._lstrip_invisible(cleaned).startswith("/")


@settings(max_examples=200)
@given(st.lists(st.dictionaries(st.sampled_from(["text", "buttons", "custom", "image", "x"]),
                                st.one_of(ANY_TEXT, st.lists(st.dictionaries(
                                    st.sampled_from(["title", "payload"]), ANY_TEXT))),
                                max_size=4), max_size=5))
def test_any_reply_shape_from_rasa_becomes_sendable_messages(raw):
    for message in replies.from_rasa(raw):
        assert message.text.strip()
        assert replies.utf16_len(message.text) <= replies.MAX_TEXT
        markup = message.keyboard()
        for row in (markup.inline_keyboard if markup else ()):
            for button in row:
                assert 1 <= len(button.callback_data.encode()) <= replies.MAX_CALLBACK_BYTES


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=5000), st.sampled_from(["kb.yml", "kb.yaml", "kb.csv", "kb.tsv"]))
def test_any_bytes_as_an_admin_upload_are_refused_cleanly(data, filename):
    report = validate_file(data, filename)
    assert report.errors and not report.ok


def _csv(rows):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(ANY_TEXT.map(lambda t: t[:200]), min_size=1, max_size=12),
                min_size=1, max_size=6))
def test_any_spreadsheet_is_validated_without_failing(rows):
    header = ["id", "topic", "country", "answer_km", "answer_th", "answer_en"]
    report = validate_file(_csv([header] + rows), "kb.csv")
    assert report.ok == (not report.errors)
