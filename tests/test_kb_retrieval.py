"""Retrieval with the real model: across languages, and what the bot decides to do."""
from dataclasses import replace

import pytest

from actions.knowledge.decision import ANSWER, NONE, SUGGEST, decide
from actions.knowledge.retrieval import Index, script_language
from tests.kb_support import embedder, seed_entries, seed_index  # noqa: F401 (fixtures)

# Written for these tests, not taken from seed.yml or tests/kb_heldout.yml.
CONFIDENT = [
    ("minimum wage in bangkok per day", "minimum-wage"),
    ("ค่าแรงขั้นต่ำกรุงเทพวันละเท่าไร", "minimum-wage"),
    ("ខ្ញុំមានផ្ទៃពោះ ច្បាប់ឈប់សម្រាលកូនប៉ុន្មានថ្ងៃ", "maternity-leave"),
    ("I am pregnant, how many days leave", "maternity-leave"),
    ("delete my data", "forget-delete"),
]
BEST_FIRST = [
    ("my employer is keeping my passport, is that allowed?", "passport-kept-by-employer"),
    ("นายจ้างไม่คืนหนังสือเดินทาง", "passport-kept-by-employer"),
    ("ប្រាក់ឈ្នួលអប្បបរមានៅបាងកកប៉ុន្មាន", "minimum-wage"),
    ("how much is overtime pay", "overtime-pay"),
]


@pytest.mark.parametrize("text, expected", CONFIDENT)
def test_clear_questions_are_answered_in_any_language(seed_index, text, expected):
    decision = decide(seed_index, text)
    assert (decision.kind, decision.entry_ids) == (ANSWER, [expected])


@pytest.mark.parametrize("text, expected", BEST_FIRST)
def test_the_right_entry_comes_first(seed_index, text, expected):
    decision = decide(seed_index, text)
    assert decision.kind in (ANSWER, SUGGEST)
    assert decision.entry_ids[0] == expected
    assert 1 <= len(decision.entry_ids) <= 3


@pytest.mark.parametrize("text", ["what is the weather tomorrow", "give me a cake recipe"])
def test_unrelated_questions_get_no_answer(seed_index, text):
    assert decide(seed_index, text).kind == NONE


def test_a_khmer_question_finds_an_entry_that_has_no_khmer_examples(embedder, seed_entries):
    """Admins may write an entry's examples in one language only at first (copied into
    the others): a Khmer question still finds it by meaning."""
    entries = [
        replace(e, questions={"km": e.questions["en"], "th": e.questions["en"], "en": e.questions["en"]})
        if e.id == "maternity-leave" else e
        for e in seed_entries
    ]
    index = Index(entries, embedder)
    top = index.search("ខ្ញុំមានផ្ទៃពោះ ច្បាប់ឈប់សម្រាលកូនប៉ុន្មានថ្ងៃ", k=1)[0]
    assert top.entry.id == "maternity-leave"


def test_the_person_s_country_decides_between_near_equal_entries(seed_index):
    question = "which hotline number should i call for help"

    def order(country):
        ids = [h.entry.id for h in seed_index.search(question, country=country, k=len(seed_index))]
        return ids.index("hotlines-cambodia") < ids.index("hotlines-thailand")

    assert order("KH") and not order("TH")


def test_script_language():
    assert [script_language(t) for t in ("សួស្តី", "สวัสดี", "sousdey", "hi ថៃ")] == [
        "km", "th", "en", "km"]
