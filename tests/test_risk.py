"""The safety check's score (actions/risk.py, docs/safety-check.md)."""
from actions import risk
from actions.risk import HIGH, LOW, MEDIUM, NO, SKIPPED, UNSURE, YES, score

ALL_FINE = {q.slot: (NO if q.bad_answer == YES else YES) for q in risk.QUESTIONS}


def test_no_indicator_is_low():
    assert score(ALL_FINE)[0] == LOW


def test_everything_skipped_is_low():
    assert score({q.slot: SKIPPED for q in risk.QUESTIONS}) == (LOW, 0.0, [])


def test_a_grave_indicator_alone_is_high():
    for slot in ("sc_violence", "sc_locked", "sc_threats"):
        level, _, seen = score({**ALL_FINE, slot: YES})
        assert level == HIGH and seen


def test_passport_kept_and_unpaid_is_medium():
    level, points, seen = score({**ALL_FINE, "sc_documents": YES, "sc_wages": NO})
    assert (level, points) == (MEDIUM, 4.0)
    assert seen == ["retention_of_documents", "withholding_of_wages"]


def test_many_indicators_add_up_to_high():
    answers = {**ALL_FINE, "sc_documents": YES, "sc_wages": NO, "sc_debt": YES}
    assert score(answers)[0] == HIGH


def test_dont_know_counts_half():
    assert score({**ALL_FINE, "sc_debt": UNSURE})[1] == 1.0


def test_a_child_with_any_indicator_is_high():
    level, _, seen = score({**ALL_FINE, "sc_overtime": YES, "sc_minor": YES})
    assert level == HIGH and "abuse_of_vulnerability" in seen
    assert score({**ALL_FINE, "sc_minor": YES})[0] == LOW
