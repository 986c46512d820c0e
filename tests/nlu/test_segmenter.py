"""The tokenizer's word splitting: right words, right offsets, never a crash."""
from hypothesis import given, settings, strategies as st

from nlu.segmenter import segment


def words(text):
    return [w for w, _ in segment(text)]


def assert_offsets(text):
    pieces = segment(text)
    last_end = 0
    for word, start in pieces:
        assert text[start : start + len(word)] == word
        assert start >= last_end
        last_end = start + len(word)
    return pieces


def test_khmer_is_split_into_words():
    text = "ខ្ញុំចង់និយាយជាមួយមនុស្ស"
    assert words(text) == ["ខ្ញុំ", "ចង់", "និយាយ", "ជាមួយ", "មនុស្ស"]
    assert_offsets(text)


def test_thai_is_split_into_words():
    text = "นายจ้างยึดพาสปอร์ตผม"
    assert words(text) == ["นายจ้าง", "ยึด", "พาสปอร์ต", "ผม"]
    assert_offsets(text)


def test_latin_words_without_punctuation():
    assert words("Boss keep my passport, don't pay!!") == [
        "Boss", "keep", "my", "passport", "don't", "pay"]


def test_mixed_scripts_keep_offsets():
    text = "ថៅកែ​មិនឲ្យលុយ boss OT ไม่จ่าย 3 ខែ"
    pieces = assert_offsets(text)
    found = [w for w, _ in pieces]
    assert "boss" in found and "OT" in found and "ไม่" in found and "ខែ" in found
    assert "\u200b" not in "".join(found)


def test_zero_width_space_separates_khmer_words():
    text = "ខ្ញុំ\u200bចង់\u200bទៅ\u200bផ្ទះ"
    assert words(text) == ["ខ្ញុំ", "ចង់", "ទៅ", "ផ្ទះ"]


def test_khmer_punctuation_is_not_a_word():
    assert "។" not in words("ខ្ញុំសុខសប្បាយ។")


def test_nothing_to_split():
    assert segment("") == []
    assert segment("   ") == []
    assert segment("😀🙏") == []


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_any_text_gives_valid_offsets(text):
    assert_offsets(text)


KHMER_THAI_LATIN = st.text(
    alphabet=st.sampled_from(list("កខគងចឆជញដតថទនបពមយរលវសហអាិីឹឺុូេែៃោៅំះ្់៉៊ ។ก ข ค ง จ ช ด ต ท น บ ป พ ม ย ร ล ว ส ห อ ะ า ิ ี ุ ู เ แ โ ไ ่ ้abc xyz0 19\u200b")),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(KHMER_THAI_LATIN)
def test_random_khmer_thai_latin_gives_valid_offsets(text):
    assert_offsets(text)
